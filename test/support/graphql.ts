// A tiny GraphQL parser and executor, enough for the fake GitHub's few fields: operations
// (query/mutation, named or anonymous, with variables), fields, aliases, arguments (literals,
// variables, lists, input objects), __typename and inline fragments `... on Type`. No named
// fragments, no directives: using them is reported as an error rather than silently ignored.

export type GqlValue = string | number | boolean | null | GqlValue[] | { [k: string]: GqlValue };

interface Token {
  kind: "punct" | "name" | "string" | "number" | "spread" | "eof";
  value: string;
  pos: number;
}

export class GraphQLSyntaxError extends Error {
  override name = "GraphQLSyntaxError";
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (/[\s,\uFEFF]/.test(c)) {
      i++;
      continue;
    }
    if (src.startsWith("...", i)) {
      out.push({ kind: "spread", value: "...", pos: i });
      i += 3;
      continue;
    }
    if ("{}():!$[]=@".includes(c)) {
      out.push({ kind: "punct", value: c, pos: i });
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ kind: "name", value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) throw new GraphQLSyntaxError(`Syntax Error: unexpected "${c}" at ${i}`);
      out.push({ kind: "number", value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      if (end < 0) throw new GraphQLSyntaxError("Syntax Error: unterminated block string");
      out.push({ kind: "string", value: src.slice(i + 3, end), pos: i });
      i = end + 3;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let s = "";
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === "\\") {
          const n = src[++j];
          if (n === "u") {
            s += String.fromCharCode(parseInt(src.slice(j + 1, j + 5), 16));
            j += 4;
          } else s += ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" } as Record<string, string>)[n] ?? n;
        } else s += src[j];
      }
      if (j >= src.length) throw new GraphQLSyntaxError("Syntax Error: unterminated string");
      out.push({ kind: "string", value: s, pos: i });
      i = j + 1;
      continue;
    }
    throw new GraphQLSyntaxError(`Syntax Error: unexpected character "${c}" at ${i}`);
  }
  out.push({ kind: "eof", value: "", pos: src.length });
  return out;
}

export type ValueNode =
  | { kind: "var"; name: string }
  | { kind: "literal"; value: GqlValue }
  | { kind: "list"; items: ValueNode[] }
  | { kind: "object"; fields: Record<string, ValueNode> };

export interface FieldNode {
  kind: "field";
  alias?: string;
  name: string;
  args: Record<string, ValueNode>;
  selections?: SelectionNode[];
}
export interface InlineFragmentNode {
  kind: "inline";
  typeCondition?: string;
  selections: SelectionNode[];
}
export type SelectionNode = FieldNode | InlineFragmentNode;

export interface OperationNode {
  operation: "query" | "mutation";
  name?: string;
  variables: { name: string; type: string; defaultValue?: ValueNode }[];
  selections: SelectionNode[];
}

export function parseGraphQL(src: string): OperationNode[] {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Token => toks[p];
  const next = (): Token => toks[p++];
  const expect = (value: string): void => {
    const t = next();
    if (t.value !== value || (t.kind !== "punct" && t.kind !== "name")) throw new GraphQLSyntaxError(`Syntax Error: expected "${value}", found "${t.value || "<EOF>"}" at ${t.pos}`);
  };
  const name = (): string => {
    const t = next();
    if (t.kind !== "name") throw new GraphQLSyntaxError(`Syntax Error: expected a name, found "${t.value || "<EOF>"}" at ${t.pos}`);
    return t.value;
  };
  const isPunct = (v: string): boolean => peek().kind === "punct" && peek().value === v;

  const value = (): ValueNode => {
    const t = peek();
    if (t.kind === "punct" && t.value === "$") {
      next();
      return { kind: "var", name: name() };
    }
    if (t.kind === "punct" && t.value === "[") {
      next();
      const items: ValueNode[] = [];
      while (!isPunct("]")) items.push(value());
      next();
      return { kind: "list", items };
    }
    if (t.kind === "punct" && t.value === "{") {
      next();
      const fields: Record<string, ValueNode> = {};
      while (!isPunct("}")) {
        const k = name();
        expect(":");
        fields[k] = value();
      }
      next();
      return { kind: "object", fields };
    }
    next();
    if (t.kind === "string") return { kind: "literal", value: t.value };
    if (t.kind === "number") return { kind: "literal", value: Number(t.value) };
    if (t.kind === "name") {
      if (t.value === "true") return { kind: "literal", value: true };
      if (t.value === "false") return { kind: "literal", value: false };
      if (t.value === "null") return { kind: "literal", value: null };
      return { kind: "literal", value: t.value }; // enum value
    }
    throw new GraphQLSyntaxError(`Syntax Error: unexpected "${t.value}" at ${t.pos}`);
  };

  const typeRef = (): string => {
    if (isPunct("[")) {
      next();
      const inner = typeRef();
      expect("]");
      const bang = isPunct("!") ? (next(), "!") : "";
      return `[${inner}]${bang}`;
    }
    const n = name();
    return isPunct("!") ? (next(), `${n}!`) : n;
  };

  const selectionSet = (): SelectionNode[] => {
    expect("{");
    const out: SelectionNode[] = [];
    while (!isPunct("}")) {
      if (peek().kind === "eof") throw new GraphQLSyntaxError("Syntax Error: unexpected <EOF>");
      if (peek().kind === "spread") {
        next();
        if (peek().kind === "name" && peek().value === "on") {
          next();
          const tc = name();
          out.push({ kind: "inline", typeCondition: tc, selections: selectionSet() });
        } else if (isPunct("{")) {
          out.push({ kind: "inline", selections: selectionSet() });
        } else throw new GraphQLSyntaxError("named fragments are not supported by the fake GitHub");
        continue;
      }
      if (isPunct("@")) throw new GraphQLSyntaxError("directives are not supported by the fake GitHub");
      let fieldName = name();
      let alias: string | undefined;
      if (isPunct(":")) {
        next();
        alias = fieldName;
        fieldName = name();
      }
      const args: Record<string, ValueNode> = {};
      if (isPunct("(")) {
        next();
        while (!isPunct(")")) {
          const k = name();
          expect(":");
          args[k] = value();
        }
        next();
      }
      if (isPunct("@")) throw new GraphQLSyntaxError("directives are not supported by the fake GitHub");
      const field: FieldNode = { kind: "field", name: fieldName, args, ...(alias ? { alias } : {}) };
      if (isPunct("{")) field.selections = selectionSet();
      out.push(field);
    }
    next();
    return out;
  };

  const ops: OperationNode[] = [];
  while (peek().kind !== "eof") {
    if (isPunct("{")) {
      ops.push({ operation: "query", variables: [], selections: selectionSet() });
      continue;
    }
    const kw = name();
    if (kw === "fragment") throw new GraphQLSyntaxError("named fragments are not supported by the fake GitHub");
    if (kw !== "query" && kw !== "mutation") throw new GraphQLSyntaxError(`Syntax Error: unexpected "${kw}"`);
    const op: OperationNode = { operation: kw, variables: [], selections: [] };
    if (peek().kind === "name") op.name = name();
    if (isPunct("(")) {
      next();
      while (!isPunct(")")) {
        expect("$");
        const vn = name();
        expect(":");
        const type = typeRef();
        const def: OperationNode["variables"][number] = { name: vn, type };
        if (isPunct("=")) {
          next();
          def.defaultValue = value();
        }
        op.variables.push(def);
      }
      next();
    }
    if (isPunct("@")) throw new GraphQLSyntaxError("directives are not supported by the fake GitHub");
    op.selections = selectionSet();
    ops.push(op);
  }
  if (ops.length === 0) throw new GraphQLSyntaxError("Syntax Error: empty document");
  return ops;
}

// ---------------------------------------------------------------- execution

/** A field resolver receives the evaluated arguments. */
export type Resolver = (args: Record<string, GqlValue>) => unknown;

/**
 * An object the executor can select from: `__typename` plus fields, each a value, a GqlObject,
 * an array, or a Resolver returning one of those.
 */
export interface GqlObject {
  __typename: string;
  [field: string]: unknown;
}

export interface GqlError {
  message: string;
  path?: (string | number)[];
  type?: string;
}

export interface GqlResult {
  data?: Record<string, unknown> | null;
  errors?: GqlError[];
}

class FieldError extends Error {
  constructor(
    message: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

function evalValue(v: ValueNode, vars: Record<string, GqlValue>): GqlValue {
  switch (v.kind) {
    case "var":
      if (!(v.name in vars)) throw new FieldError(`Variable $${v.name} is not defined`);
      return vars[v.name];
    case "literal":
      return v.value;
    case "list":
      return v.items.map((i) => evalValue(i, vars));
    case "object":
      return Object.fromEntries(Object.entries(v.fields).map(([k, x]) => [k, evalValue(x, vars)]));
  }
}

function isGqlObject(v: unknown): v is GqlObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as GqlObject).__typename === "string";
}

/** Execute `query` against a root object per operation kind. */
export function executeGraphQL(
  query: string,
  variables: Record<string, GqlValue> | null | undefined,
  operationName: string | null | undefined,
  roots: { query: GqlObject; mutation: GqlObject },
): GqlResult {
  let ops: OperationNode[];
  try {
    ops = parseGraphQL(query);
  } catch (e) {
    return { errors: [{ message: (e as Error).message, type: "PARSE" }] };
  }
  const op = operationName ? ops.find((o) => o.name === operationName) : ops.length === 1 ? ops[0] : undefined;
  if (!op) return { errors: [{ message: operationName ? `Unknown operation named "${operationName}".` : "Must provide operation name if query contains multiple operations." }] };
  const vars: Record<string, GqlValue> = {};
  for (const d of op.variables) {
    if (variables && d.name in variables) vars[d.name] = variables[d.name];
    else if (d.defaultValue) vars[d.name] = evalValue(d.defaultValue, {});
    else if (d.type.endsWith("!")) return { errors: [{ message: `Variable $${d.name} of type ${d.type} was provided invalid value` }] };
    else vars[d.name] = null;
  }
  const errors: GqlError[] = [];

  const select = (obj: GqlObject, selections: SelectionNode[], path: (string | number)[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const sel of selections) {
      if (sel.kind === "inline") {
        if (!sel.typeCondition || sel.typeCondition === obj.__typename) Object.assign(out, select(obj, sel.selections, path));
        continue;
      }
      const key = sel.alias ?? sel.name;
      if (sel.name === "__typename") {
        out[key] = obj.__typename;
        continue;
      }
      if (!(sel.name in obj)) {
        throw new FieldError(`Field '${sel.name}' doesn't exist on type '${obj.__typename}'`);
      }
      const raw = obj[sel.name];
      let value: unknown;
      try {
        const args = Object.fromEntries(Object.entries(sel.args).map(([k, v]) => [k, evalValue(v, vars)]));
        value = typeof raw === "function" ? (raw as Resolver)(args) : raw;
      } catch (e) {
        if (!(e instanceof FieldError)) throw e;
        errors.push({ message: e.message, path: [...path, key], ...(e.type ? { type: e.type } : {}) });
        out[key] = null;
        continue;
      }
      out[key] = complete(value, sel, [...path, key]);
    }
    return out;
  };

  const complete = (value: unknown, sel: FieldNode, path: (string | number)[]): unknown => {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) return value.map((v, i) => complete(v, sel, [...path, i]));
    if (isGqlObject(value)) {
      if (!sel.selections) throw new FieldError(`Field must have selections (field '${sel.name}' returns ${value.__typename} but has no selections.)`);
      return select(value, sel.selections, path);
    }
    if (sel.selections) throw new FieldError(`Selections can't be made on scalars (field '${sel.name}')`);
    return value;
  };

  try {
    const data = select(op.operation === "mutation" ? roots.mutation : roots.query, op.selections, []);
    return errors.length ? { data, errors } : { data };
  } catch (e) {
    if (e instanceof FieldError) return { errors: [{ message: e.message, type: e.type ?? "VALIDATION" }] };
    throw e;
  }
}

/**
 * Resolvers throw this to report an error on their field (the field becomes null). `type` is
 * GitHub's error type ("NOT_FOUND", "FORBIDDEN", "MISSING_PAGINATION_BOUNDARIES", ...).
 */
export function gqlFieldError(message: string, type?: string): Error {
  return new FieldError(message, type);
}
