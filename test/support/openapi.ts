// Contract checking of outgoing GitHub REST requests against GitHub's own OpenAPI description.
//
// The fixture test/fixtures/openapi/github-operations.json is produced by
// `node scripts/extract-openapi.mjs` from @octokit/openapi (see that script). It holds the
// operations Bulwark uses (parameters and request bodies, $refs inlined) and the list of every
// REST route, so that an unexpected endpoint is reported precisely:
//   - "unknown-operation": no GitHub REST endpoint has this method + path;
//   - "undeclared-operation": GitHub has it, but Bulwark has not declared it in the extract script.
//
// Strictness beyond the spec (on by default, `unknownProperties: "ignore"` turns it off):
// object schemas that list `properties` but say nothing about `additionalProperties` are treated
// as closed, and query parameters the operation does not declare are errors. Real GitHub
// silently ignores both, which is exactly how a typo (`startLine` for `start_line`) ships.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// ---------------------------------------------------------------- fixture types

/** A JSON Schema (OpenAPI 3.0 dialect) as stored in the fixture. */
export type JsonSchema = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
  "x-multi-segment"?: boolean;
}

export interface OpenApiOperation {
  method: string;
  path: string;
  operationId: string;
  summary?: string;
  parameters: OpenApiParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiFixture {
  specVersion: string;
  package: string;
  operations: OpenApiOperation[];
  routes: string[];
  multiSegment: Record<string, string[]>;
}

const FIXTURE_PATH = fileURLToPath(new URL("../fixtures/openapi/github-operations.json", import.meta.url));

let fixtureCache: OpenApiFixture | undefined;
export function loadOpenApiFixture(): OpenApiFixture {
  fixtureCache ??= JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as OpenApiFixture;
  return fixtureCache;
}

// ---------------------------------------------------------------- route matching

/** GraphQL is not part of the REST description; it is handled as a pseudo-operation. */
export const GRAPHQL_ROUTE = "POST /graphql";

interface CompiledRoute {
  key: string;
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  literalSegments: number;
  multiSegments: number;
}

let routeCache: CompiledRoute[] | undefined;

function compileRoutes(): CompiledRoute[] {
  if (routeCache) return routeCache;
  const fx = loadOpenApiFixture();
  const out: CompiledRoute[] = [];
  for (const key of [...fx.routes, GRAPHQL_ROUTE]) {
    const space = key.indexOf(" ");
    const method = key.slice(0, space);
    const template = key.slice(space + 1);
    const multi = new Set(fx.multiSegment[template] ?? []);
    const names: string[] = [];
    let literalSegments = 0;
    let multiSegments = 0;
    const parts = template
      .split("/")
      .slice(1)
      .map((seg) => {
        // A segment is either a literal or exactly one {param} (GitHub has no mixed segments
        // except e.g. "{basehead}", which is still a whole segment).
        const m = /^\{([^}]+)\}$/.exec(seg);
        if (!m) {
          literalSegments++;
          return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        }
        names.push(m[1]);
        if (multi.has(m[1])) {
          multiSegments++;
          return "(.+)";
        }
        return "([^/]+)";
      });
    out.push({
      key,
      method,
      template,
      regex: new RegExp(`^/${parts.join("/")}$`),
      names,
      literalSegments,
      multiSegments,
    });
  }
  routeCache = out;
  return out;
}

export interface RouteMatch {
  /** "METHOD /template", e.g. "GET /repos/{owner}/{repo}/pulls/{pull_number}/files". */
  key: string;
  method: string;
  template: string;
  /** Decoded path parameters. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The fixture operation, when Bulwark declared it (undefined for GraphQL too). */
  operation?: OpenApiOperation;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Find the most specific REST route for a request (more literal segments first, then fewer
 * multi-segment parameters), as GitHub's router would. Undefined when no route matches.
 */
export function matchRoute(method: string, url: string): RouteMatch | undefined {
  const u = new URL(url, "http://fake.invalid");
  const m = method.toUpperCase();
  // Match on the raw (still percent-encoded) path so that an encoded "/" inside a parameter
  // (Octokit sends `heads%2Fmain`) stays inside that parameter.
  const path = u.pathname.length > 1 ? u.pathname.replace(/\/+$/, "") : u.pathname;
  let best: { route: CompiledRoute; match: RegExpExecArray } | undefined;
  for (const route of compileRoutes()) {
    if (route.method !== m) continue;
    const match = route.regex.exec(path);
    if (!match) continue;
    if (
      !best ||
      route.literalSegments > best.route.literalSegments ||
      (route.literalSegments === best.route.literalSegments && route.multiSegments < best.route.multiSegments)
    ) {
      best = { route, match };
    }
  }
  if (!best) return undefined;
  const params: Record<string, string> = {};
  best.route.names.forEach((name, i) => (params[name] = safeDecode(best!.match[i + 1])));
  const operation = loadOpenApiFixture().operations.find((o) => `${o.method} ${o.path}` === best!.route.key);
  return { key: best.route.key, method: m, template: best.route.template, params, query: u.searchParams, operation };
}

// ---------------------------------------------------------------- validation

export type ValidationErrorKind =
  | "unknown-operation"
  | "undeclared-operation"
  | "path-param"
  | "query"
  | "header"
  | "body"
  | "unknown-property";

export interface ValidationError {
  kind: ValidationErrorKind;
  message: string;
  /** JSON pointer into the body (body errors) or the parameter name (parameter errors). */
  where?: string;
}

export interface RequestToValidate {
  method: string;
  /** Path with query ("/repos/o/r/pulls?state=all") or an absolute URL. */
  url: string;
  headers?: Record<string, string | string[] | undefined>;
  /** Raw body (string/bytes, parsed as JSON here) or an already parsed JSON value. */
  body?: string | Uint8Array | JsonValue;
}

export interface ValidateOptions {
  /** "error" (default): closed objects and undeclared query parameters are errors. */
  unknownProperties?: "error" | "ignore";
}

export interface CheckedRequest {
  route?: RouteMatch;
  /** The parsed JSON body, when there was one and it parsed. */
  body?: JsonValue;
  errors: ValidationError[];
}

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

let bodyAjv: Ajv | undefined;
let paramAjv: Ajv | undefined;
const validatorCache = new Map<string, ValidateFunction>();

function getAjv(kind: "body" | "param"): Ajv {
  if (kind === "body") {
    if (!bodyAjv) {
      bodyAjv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true, verbose: true });
      addFormats(bodyAjv);
    }
    return bodyAjv;
  }
  if (!paramAjv) {
    // Query and path values arrive as strings: coerce "30" → 30 before checking the type.
    paramAjv = new Ajv({ strict: false, allErrors: true, logger: false, coerceTypes: true });
    addFormats(paramAjv);
  }
  return paramAjv;
}

const COMPOSITION = ["allOf", "anyOf", "oneOf", "not"];

/**
 * Copy of a schema in which every object schema that lists `properties` and does not mention
 * `additionalProperties` is closed, except branches of allOf/anyOf/oneOf/not (closing those would
 * reject the sibling branches' properties). Unknown properties are tagged so that their errors
 * can be reported as kind "unknown-property" rather than "body".
 */
function closeObjects(schema: JsonValue, inComposition = false): JsonValue {
  if (Array.isArray(schema)) return schema.map((s) => closeObjects(s, inComposition));
  if (schema === null || typeof schema !== "object") return schema;
  const out: { [k: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "properties" && v && typeof v === "object" && !Array.isArray(v)) {
      const props: { [k: string]: JsonValue } = {};
      for (const [name, sub] of Object.entries(v)) props[name] = closeObjects(sub, false);
      out[k] = props;
    } else if (COMPOSITION.includes(k)) {
      out[k] = closeObjects(v, true);
    } else {
      out[k] = closeObjects(v, false);
    }
  }
  const hasProps = typeof out.properties === "object" && out.properties !== null;
  const hasComposition = COMPOSITION.some((k) => k in out);
  if (hasProps && !inComposition && !hasComposition && !("additionalProperties" in out)) {
    out.additionalProperties = false;
    out["x-bulwark-closed"] = true;
  }
  return out;
}

function compile(key: string, kind: "body" | "param", schema: JsonSchema): ValidateFunction {
  const cacheKey = `${kind}:${key}`;
  let fn = validatorCache.get(cacheKey);
  if (!fn) {
    fn = getAjv(kind).compile(schema);
    validatorCache.set(cacheKey, fn);
  }
  return fn;
}

function ajvErrors(errors: ErrorObject[] | null | undefined, kind: "body" | "path-param" | "query"): ValidationError[] {
  if (!errors) return [];
  const out: ValidationError[] = [];
  for (const e of errors) {
    // anyOf/oneOf report each failing branch and then the summary; the summary is enough.
    const where = e.instancePath || "/";
    if (e.keyword === "additionalProperties") {
      const prop = (e.params as { additionalProperty?: string }).additionalProperty;
      const closedByUs = (e.parentSchema as { "x-bulwark-closed"?: boolean } | undefined)?.["x-bulwark-closed"];
      out.push({
        kind: closedByUs ? "unknown-property" : kind,
        where: `${where === "/" ? "" : where}/${prop}`,
        message: closedByUs
          ? `${where}: property "${prop}" is not in GitHub's schema (ignored by GitHub: probably a typo)`
          : `${where}: additional property "${prop}" is not allowed`,
      });
      continue;
    }
    out.push({ kind, where, message: `${where} ${e.message ?? e.keyword}${e.params ? " " + JSON.stringify(e.params) : ""}` });
  }
  return out;
}

function header(headers: RequestToValidate["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(", ") : v;
  }
  return undefined;
}

function isRawBody(b: RequestToValidate["body"]): b is string | Uint8Array {
  return typeof b === "string" || b instanceof Uint8Array;
}

/** Validate one request and return the route, the parsed body and every contract error. */
export function checkRequest(req: RequestToValidate, opts: ValidateOptions = {}): CheckedRequest {
  const strict = (opts.unknownProperties ?? "error") === "error";
  const errors: ValidationError[] = [];
  const method = req.method.toUpperCase();

  // Body: parse first, it is needed for every kind of operation.
  let body: JsonValue | undefined;
  let rawBody: string | undefined;
  if (isRawBody(req.body)) {
    rawBody = typeof req.body === "string" ? req.body : Buffer.from(req.body).toString("utf8");
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody) as JsonValue;
      } catch {
        body = undefined;
      }
    }
  } else if (req.body !== undefined) {
    body = req.body;
    rawBody = JSON.stringify(req.body);
  }
  const hasBody = rawBody !== undefined && rawBody.length > 0;

  const route = matchRoute(method, req.url);
  if (!route) {
    errors.push({ kind: "unknown-operation", message: `${method} ${new URL(req.url, "http://x").pathname} is not a GitHub REST endpoint` });
    return { errors, body };
  }

  if (route.key === GRAPHQL_ROUTE) {
    if (!hasBody || body === undefined) {
      errors.push({ kind: "body", message: "POST /graphql needs a JSON body" });
    } else if (typeof body !== "object" || body === null || Array.isArray(body)) {
      errors.push({ kind: "body", message: "POST /graphql body must be a JSON object" });
    } else {
      if (typeof body.query !== "string") errors.push({ kind: "body", where: "/query", message: "/query must be a string" });
      if ("variables" in body && body.variables !== null && (typeof body.variables !== "object" || Array.isArray(body.variables)))
        errors.push({ kind: "body", where: "/variables", message: "/variables must be an object" });
      if ("operationName" in body && body.operationName !== null && typeof body.operationName !== "string")
        errors.push({ kind: "body", where: "/operationName", message: "/operationName must be a string" });
      if (strict)
        for (const k of Object.keys(body))
          if (!["query", "variables", "operationName"].includes(k))
            errors.push({ kind: "unknown-property", where: `/${k}`, message: `property "${k}" is not part of a GraphQL request` });
    }
    return { route, body, errors };
  }

  const op = route.operation;
  if (!op) {
    errors.push({
      kind: "undeclared-operation",
      message: `${route.key} exists in GitHub's API but is not declared in scripts/extract-openapi.mjs (add it and regenerate the fixture)`,
    });
    return { route, body, errors };
  }

  // Path parameters.
  for (const p of op.parameters.filter((x) => x.in === "path")) {
    const value = route.params[p.name];
    if (value === undefined || value === "") {
      errors.push({ kind: "path-param", where: p.name, message: `path parameter ${p.name} is missing` });
      continue;
    }
    if (p.schema) {
      const holder = { v: value as JsonValue };
      const fn = compile(`${route.key}#path:${p.name}`, "param", {
        type: "object",
        properties: { v: p.schema },
      });
      if (!fn(holder))
        errors.push(
          ...ajvErrors(fn.errors, "path-param").map((e) => ({ ...e, where: p.name, message: `path parameter ${p.name}: ${e.message.replace(/^\/v\s*/, "")}` })),
        );
    }
  }

  // Query parameters.
  const declared = new Map(op.parameters.filter((x) => x.in === "query").map((p) => [p.name, p]));
  for (const p of declared.values()) {
    if (p.required && !route.query.has(p.name))
      errors.push({ kind: "query", where: p.name, message: `required query parameter ${p.name} is missing` });
  }
  for (const name of new Set(route.query.keys())) {
    const p = declared.get(name);
    if (!p) {
      if (strict) errors.push({ kind: "query", where: name, message: `query parameter ${name} is not declared for ${route.key}` });
      continue;
    }
    if (!p.schema) continue;
    const values = route.query.getAll(name);
    const isArray = p.schema.type === "array";
    const holder = { v: (isArray ? values : values[values.length - 1]) as JsonValue };
    const fn = compile(`${route.key}#query:${name}`, "param", { type: "object", properties: { v: p.schema } });
    if (!fn(holder))
      errors.push(
        ...ajvErrors(fn.errors, "query").map((e) => ({ ...e, where: name, message: `query parameter ${name}: ${e.message.replace(/^\/v\s*/, "")}` })),
      );
  }

  // Body.
  const content = op.requestBody?.content ?? {};
  const jsonSchema = content["application/json"]?.schema;
  if (!op.requestBody) {
    if (hasBody) errors.push({ kind: "body", message: `${route.key} takes no request body, but one was sent` });
    return { route, body, errors };
  }
  if (!hasBody) {
    if (op.requestBody.required) errors.push({ kind: "body", message: `${route.key} requires a request body` });
    return { route, body, errors };
  }
  if (content["application/json"]) {
    const ct = header(req.headers, "content-type");
    if (req.headers && ct !== undefined && !/application\/json/i.test(ct))
      errors.push({ kind: "header", where: "content-type", message: `content-type ${ct} where GitHub expects application/json` });
    if (body === undefined) {
      errors.push({ kind: "body", message: `${route.key}: body is not valid JSON` });
      return { route, body, errors };
    }
    if (jsonSchema) {
      const schema = strict ? (closeObjects(jsonSchema) as JsonSchema) : jsonSchema;
      const fn = compile(`${route.key}#body${strict ? ":strict" : ""}`, "body", schema);
      if (!fn(body)) errors.push(...ajvErrors(fn.errors, "body"));
    }
  }
  return { route, body, errors };
}

/** The errors of one request against GitHub's OpenAPI description; [] when it conforms. */
export function validateRequest(req: RequestToValidate, opts: ValidateOptions = {}): ValidationError[] {
  return checkRequest(req, opts).errors;
}

/** "METHOD template" keys of every operation in the fixture, plus GraphQL. */
export function declaredOperations(): string[] {
  return [...loadOpenApiFixture().operations.map((o) => `${o.method} ${o.path}`), GRAPHQL_ROUTE];
}
