import { describe, expect, it } from "vitest";
import { schemaError, schemaRegressions } from "../../src/core/engine/schema.js";
import { fixFiles } from "../../src/core/engine/fixes.js";

const DEP = (sc: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            ${sc}
`;

describe("Kubernetes schema validation in fix verification", () => {
  it("knows valid from invalid objects of the kinds fixes edit", () => {
    expect(schemaError({ apiVersion: "v1", kind: "Pod", value: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "a", image: "a" }] } } })).toBeUndefined();
    expect(schemaError({ apiVersion: "v1", kind: "Pod", value: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "a", image: "a", securityContext: { privileged: "yes" } }] } } })).toMatch(/privileged must be boolean/);
    expect(schemaError({ apiVersion: "example.com/v1", kind: "Widget", value: { anything: true } })).toBeUndefined();
  });

  it("reports an edit that breaks a valid object, not one that was already broken", () => {
    expect(schemaRegressions("d.yaml", DEP("privileged: true"), DEP('privileged: "no"'))).toEqual([expect.stringMatching(/^Deployment\/web: .*privileged must be boolean/)]);
    expect(schemaRegressions("d.yaml", DEP('privileged: "yes"'), DEP('privileged: "no"'))).toEqual([]);
    expect(schemaRegressions("d.yaml", DEP("privileged: true"), DEP("privileged: false"))).toEqual([]);
  });

  it("every fix of the shipped examples keeps the resources valid", () => {
    const files = [{ path: "d.yaml", text: DEP("privileged: true\n            capabilities: {add: [NET_ADMIN]}") }];
    const out = fixFiles(files, { includeBehaviourChanging: true });
    expect(out.rejected.size).toBe(0);
    expect(out.changed.size).toBe(1);
    expect(schemaRegressions("d.yaml", files[0].text, out.changed.get("d.yaml")!)).toEqual([]);
  });
});
