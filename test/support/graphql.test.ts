import { describe, expect, it } from "vitest";
import { executeGraphQL, gqlFieldError, parseGraphQL, type GqlObject } from "./graphql.js";

const roots = (): { query: GqlObject; mutation: GqlObject } => {
  const items = [1, 2, 3];
  return {
    query: {
      __typename: "Query",
      hello: (args: Record<string, unknown>) => `hi ${String(args.name)}`,
      thing: { __typename: "Thing", id: "T1", tags: ["a", "b"], child: { __typename: "Child", n: 5 } },
      items: () => items.map((n) => ({ __typename: "Item", n })),
      broken: () => {
        throw gqlFieldError("nope");
      },
    },
    mutation: { __typename: "Mutation", add: (args: Record<string, unknown>) => ({ __typename: "Payload", got: JSON.stringify(args.input) }) },
  };
};

describe("mini GraphQL", () => {
  it("parses operations with variables, aliases, lists and input objects", () => {
    const [op] = parseGraphQL(`mutation M($id: ID!, $n: [Int!] = [1]) { a: add(input: { id: $id, list: [1, 2], flag: true, e: OUTDATED }) { got } }`);
    expect(op.operation).toBe("mutation");
    expect(op.variables.map((v) => [v.name, v.type])).toEqual([
      ["id", "ID!"],
      ["n", "[Int!]"],
    ]);
  });

  it("executes queries and mutations", () => {
    expect(executeGraphQL(`{ hello(name: "x") thing { id tags child { n } } items { n __typename } }`, {}, undefined, roots())).toEqual({
      data: { hello: "hi x", thing: { id: "T1", tags: ["a", "b"], child: { n: 5 } }, items: [{ n: 1, __typename: "Item" }, { n: 2, __typename: "Item" }, { n: 3, __typename: "Item" }] },
    });
    const m = executeGraphQL(`mutation($id: ID!) { add(input: { id: $id, c: OUTDATED }) { got } }`, { id: "Z" }, undefined, roots());
    expect(m.data).toEqual({ add: { got: '{"id":"Z","c":"OUTDATED"}' } });
  });

  it("reports errors like GitHub: unknown fields, missing selections, resolver errors, syntax", () => {
    expect(executeGraphQL(`{ nope }`, {}, undefined, roots()).errors?.[0].message).toBe("Field 'nope' doesn't exist on type 'Query'");
    expect(executeGraphQL(`{ thing }`, {}, undefined, roots()).errors?.[0].message).toMatch(/must have selections/);
    expect(executeGraphQL(`{ hello(name: "a") { x } }`, {}, undefined, roots()).errors?.[0].message).toMatch(/scalars/);
    const partial = executeGraphQL(`{ broken hello(name: "b") }`, {}, undefined, roots());
    expect(partial).toEqual({ data: { broken: null, hello: "hi b" }, errors: [{ message: "nope", path: ["broken"] }] });
    expect(executeGraphQL(`{ hello(`, {}, undefined, roots()).errors?.[0].type).toBe("PARSE");
    expect(executeGraphQL(`query($x: ID!) { hello(name: $x) }`, {}, undefined, roots()).errors?.[0].message).toMatch(/\$x/);
    expect(executeGraphQL(`fragment F on Query { hello } { ...F }`, {}, undefined, roots()).errors?.[0].message).toMatch(/not supported/);
  });
});
