// The YAML files are the source of truth; the engine imports the generated modules. These tests
// fail when the two drift, and pin the data to the catalog it was copied from.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEPRECATED_APIS } from "../../src/core/data/deprecated-apis.js";
import { EOL_SNAPSHOT } from "../../src/core/data/eol.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const GEN = fileURLToPath(new URL("../../scripts/gen-data.mjs", import.meta.url));
const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), "utf8");

describe("generated modules are up to date with rules/data/*.yaml", () => {
  it("`node scripts/gen-data.mjs --check` passes", () => {
    const r = spawnSync(process.execPath, [GEN, "--check"], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("the exported data equals the YAML", () => {
    expect(EOL_SNAPSHOT).toEqual(parse(read("rules/data/eol-snapshot.yaml")));
    expect(DEPRECATED_APIS).toEqual(parse(read("rules/data/deprecated-apis.yaml")));
  });

  it("the generator rejects data the types cannot catch", () => {
    const run = (yamlFile: string, text: string): string =>
      execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { renderModule, targetFor } from ${JSON.stringify(GEN)};
           try { renderModule(targetFor(${JSON.stringify(yamlFile)}), process.env.DATA); console.log("accepted"); }
           catch (e) { console.log(e.message); }`,
        ],
        { env: { ...process.env, DATA: text }, encoding: "utf8" },
      );
    // A replacement that finds nothing would test the unmodified file: fail loudly instead.
    const swap = (text: string, from: string, to: string): string => {
      if (!text.includes(from)) throw new Error(`test fixture: "${from}" not found`);
      return text.replace(from, to);
    };
    const eol = read("rules/data/eol-snapshot.yaml");
    expect(run("rules/data/eol-snapshot.yaml", eol)).toMatch(/^accepted/);
    // An unquoted cycle becomes a number: 3.10 would silently be 3.1.
    expect(run("rules/data/eol-snapshot.yaml", swap(eol, '{cycle: "3.10",', "{cycle: 3.10,"))).toMatch(/expected a string.*quote numbers/);
    expect(run("rules/data/eol-snapshot.yaml", swap(eol, "eol: 2028-08-09", "eol: 2028-13-09"))).toMatch(/does not match/);
    expect(run("rules/data/eol-snapshot.yaml", swap(eol, "{product: node,", "{product: nodejs,"))).toMatch(/unknown product "nodejs"/);
    expect(run("rules/data/eol-snapshot.yaml", swap(eol, "eol: 2027-04-30}", "eoll: 2027-04-30}"))).toMatch(/unknown key "eoll"/);
    const apis = read("rules/data/deprecated-apis.yaml");
    expect(run("rules/data/deprecated-apis.yaml", apis)).toMatch(/^accepted/);
    expect(run("rules/data/deprecated-apis.yaml", swap(apis, "kinds: [CSIStorageCapacity]", "kinds: [CSIStorageCapacity, CSIDriver]"))).toMatch(/already listed/);
    expect(run("rules/data/deprecated-apis.yaml", swap(apis, "fix: rename", "fix: renames"))).toMatch(/rename \| transform \| manual/);
  });
});

describe("EOL snapshot matches rules-catalog.md §5 and notes/auto-update.md §6.2", () => {
  it("is dated and sourced", () => {
    expect(EOL_SNAPSHOT.snapshotDate).toBe("2026-08-22");
    expect(EOL_SNAPSHOT.source).toBe("endoflife.date");
  });

  it("covers every product of the catalog", () => {
    expect(Object.keys(EOL_SNAPSHOT.products).sort()).toEqual(
      [
        "alpine", "amazonlinux", "centos", "centos-stream", "debian", "dotnet", "eclipse-temurin", "golang",
        "ingress-nginx", "nginx", "node", "php", "postgres", "python", "ruby", "ubi", "ubuntu",
      ].sort(),
    );
  });

  // product, cycle, eol (as in the catalog/notes), extended support where given
  it.each([
    ["debian", "8", "2018-06-17", undefined], ["debian", "9", "2020-07-18", undefined],
    ["debian", "10", "2022-09-10", "2024-06-30"], ["debian", "11", "2024-08-14", "2026-08-31"],
    ["debian", "12", "2026-07-11", "2028-06-30"], ["debian", "13", "2028-08-09", "2030-06-30"],
    ["ubuntu", "14.04", "2019-04-02", undefined], ["ubuntu", "16.04", "2021-04-02", undefined],
    ["ubuntu", "18.04", "2023-05-31", undefined], ["ubuntu", "20.04", "2025-05-31", "2030-04-02"],
    ["ubuntu", "24.10", "2025-07-10", undefined], ["ubuntu", "25.04", "2026-01-17", undefined],
    ["ubuntu", "25.10", "2026-07-01", undefined], ["ubuntu", "22.04", "2027-04-01", "2032-04-09"],
    ["ubuntu", "24.04", "2029-05-31", "2036-05-31"], ["ubuntu", "26.04", "2031-04-30", undefined],
    ["alpine", "3.17", "2024-11-22", undefined], ["alpine", "3.18", "2025-05-09", undefined], ["alpine", "3.19", "2025-11-01", undefined],
    ["alpine", "3.20", "2026-04-01", undefined], ["alpine", "3.21", "2026-11-01", undefined], ["alpine", "3.22", "2027-05-01", undefined],
    ["alpine", "3.23", "2027-11-01", undefined], ["alpine", "3.24", "2028-06-01", undefined],
    ["node", "16", "2023-09-11", undefined], ["node", "18", "2025-04-30", undefined], ["node", "20", "2026-04-30", undefined],
    ["node", "23", "2025-06-01", undefined], ["node", "25", "2026-06-01", undefined], ["node", "22", "2027-04-30", undefined],
    ["node", "24", "2028-04-30", undefined], ["node", "26", "2029-04-30", undefined],
    ["python", "2.7", "2020-01-01", undefined], ["python", "3.6", "2021-12-23", undefined], ["python", "3.7", "2023-06-27", undefined],
    ["python", "3.8", "2024-10-07", undefined], ["python", "3.9", "2025-10-31", undefined], ["python", "3.10", "2026-10-31", undefined],
    ["python", "3.11", "2027-10-31", undefined], ["python", "3.12", "2028-10-31", undefined], ["python", "3.13", "2029-10-31", undefined],
    ["python", "3.14", "2030-10-31", undefined],
    ["golang", "1.23", "2025-08-12", undefined], ["golang", "1.24", "2026-02-10", undefined], ["golang", "1.25", "2026-08-19", undefined],
    ["golang", "1.26", false, undefined], ["golang", "1.27", false, undefined],
    ["centos", "6", "2020-11-30", undefined], ["centos", "7", "2024-06-30", undefined], ["centos", "8", "2021-12-31", undefined],
    ["centos-stream", "8", "2024-05-31", undefined], ["centos-stream", "9", "2027-05-31", undefined], ["centos-stream", "10", "2030-05-31", undefined],
    ["amazonlinux", "2018.03", "2023-12-31", undefined], ["amazonlinux", "2", "2026-06-30", undefined], ["amazonlinux", "2023", "2029-06-30", undefined],
    ["eclipse-temurin", "24", "2025-09-16", undefined], ["eclipse-temurin", "26", "2026-09-15", undefined],
    ["eclipse-temurin", "8", "2030-12-31", undefined], ["eclipse-temurin", "11", "2027-10-31", undefined], ["eclipse-temurin", "17", "2027-10-31", undefined],
    ["eclipse-temurin", "21", "2029-12-31", undefined], ["eclipse-temurin", "25", "2031-09-30", undefined],
    ["php", "8.1", "2025-12-31", undefined], ["php", "8.2", "2026-12-31", undefined], ["php", "8.3", "2027-12-31", undefined],
    ["php", "8.4", "2028-12-31", undefined], ["php", "8.5", "2029-12-31", undefined],
    ["ruby", "3.1", "2025-03-26", undefined], ["ruby", "3.2", "2026-03-31", undefined], ["ruby", "3.3", "2027-03-31", undefined],
    ["ruby", "3.4", "2028-03-31", undefined], ["ruby", "4.0", "2029-03-31", undefined],
    ["dotnet", "6", "2024-11-12", undefined], ["dotnet", "7", "2024-05-14", undefined], ["dotnet", "8", "2026-11-10", undefined],
    ["dotnet", "9", "2026-11-10", undefined], ["dotnet", "10", "2028-11-14", undefined],
    ["postgres", "12", "2024-11-21", undefined], ["postgres", "13", "2025-11-13", undefined], ["postgres", "14", "2026-11-12", undefined],
    ["postgres", "15", "2027-11-11", undefined], ["postgres", "16", "2028-11-09", undefined], ["postgres", "17", "2029-11-08", undefined],
    ["postgres", "18", "2030-11-14", undefined],
    ["nginx", "1.26", "2025-04-23", undefined], ["nginx", "1.27", "2025-06-24", undefined], ["nginx", "1.28", "2026-04-14", undefined],
    ["nginx", "1.29", "2026-05-13", undefined], ["nginx", "1.30", false, undefined], ["nginx", "1.31", false, undefined],
    ["ubi", "7", "2024-06-30", undefined], ["ubi", "8", "2029-05-31", undefined], ["ubi", "9", "2032-05-31", undefined], ["ubi", "10", "2035-05-31", undefined],
    ["ingress-nginx", "all", "2026-03", undefined],
  ] as const)("%s %s: eol %s", (product, cycle, eolDate, ext) => {
    const c = EOL_SNAPSHOT.products[product]!.cycles.find((x) => x.cycle === cycle);
    expect(c, `${product} ${cycle}`).toBeDefined();
    expect(c!.eol).toBe(eolDate);
    if (ext !== undefined) expect(c!.extendedSupport).toBe(ext);
  });

  it("lists cycles newest first (list order is what 'newer' means)", () => {
    for (const [key, p] of Object.entries(EOL_SNAPSHOT.products)) {
      if (key === "amazonlinux" || key === "ingress-nginx") continue; // not numerically ordered / single cycle
      const nums = p.cycles.map((c) => c.cycle.split(".").map(Number));
      for (let i = 1; i < nums.length; i++) {
        const [a, b] = [nums[i - 1]!, nums[i]!];
        const cmp = a[0]! - b[0]! || (a[1] ?? 0) - (b[1] ?? 0);
        expect(cmp, `${key}: ${p.cycles[i - 1]!.cycle} before ${p.cycles[i]!.cycle}`).toBeGreaterThan(0);
      }
    }
  });

  it("every cycle not from the catalog says where it comes from", () => {
    const notInCatalog = [["ubuntu", "22.10"], ["ubuntu", "23.04"], ["ubuntu", "23.10"], ["eclipse-temurin", "18"], ["eclipse-temurin", "23"]];
    for (const [p, c] of notInCatalog) expect(EOL_SNAPSHOT.products[p!]!.cycles.find((x) => x.cycle === c)?.source).toMatch(/endoflife\.date/);
  });
});

describe("deprecated APIs match rules-catalog.md §4", () => {
  // apiVersion, kind, removedIn, replacement, fix — one line per catalog row (× kinds where the row lists several)
  it.each([
    ["extensions/v1beta1", "Deployment", "1.16", "apps/v1", "transform"],
    ["extensions/v1beta1", "DaemonSet", "1.16", "apps/v1", "transform"],
    ["extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1", "transform"],
    ["apps/v1beta1", "Deployment", "1.16", "apps/v1", "transform"],
    ["apps/v1beta1", "StatefulSet", "1.16", "apps/v1", "transform"],
    ["apps/v1beta2", "DaemonSet", "1.16", "apps/v1", "transform"],
    ["apps/v1beta2", "StatefulSet", "1.16", "apps/v1", "transform"],
    ["apps/v1beta2", "ReplicaSet", "1.16", "apps/v1", "transform"],
    ["extensions/v1beta1", "NetworkPolicy", "1.16", "networking.k8s.io/v1", "rename"],
    ["extensions/v1beta1", "PodSecurityPolicy", "1.16", "policy/v1beta1", "manual"],
    ["scheduling.k8s.io/v1alpha1", "PriorityClass", "1.17", "scheduling.k8s.io/v1", "rename"],
    ["extensions/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1", "transform"],
    ["networking.k8s.io/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1", "transform"],
    ["networking.k8s.io/v1beta1", "IngressClass", "1.22", "networking.k8s.io/v1", "rename"],
    ["apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "1.22", "apiextensions.k8s.io/v1", "manual"],
    ["admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", "1.22", "admissionregistration.k8s.io/v1", "manual"],
    ["admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", "1.22", "admissionregistration.k8s.io/v1", "manual"],
    ["rbac.authorization.k8s.io/v1beta1", "ClusterRole", "1.22", "rbac.authorization.k8s.io/v1", "rename"],
    ["rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", "1.22", "rbac.authorization.k8s.io/v1", "rename"],
    ["rbac.authorization.k8s.io/v1alpha1", "RoleBinding", "1.22", "rbac.authorization.k8s.io/v1", "rename"],
    ["scheduling.k8s.io/v1beta1", "PriorityClass", "1.22", "scheduling.k8s.io/v1", "rename"],
    ["storage.k8s.io/v1beta1", "StorageClass", "1.22", "storage.k8s.io/v1", "rename"],
    ["storage.k8s.io/v1beta1", "VolumeAttachment", "1.22", "storage.k8s.io/v1", "rename"],
    ["storage.k8s.io/v1beta1", "CSINode", "1.22", "storage.k8s.io/v1", "rename"],
    ["storage.k8s.io/v1beta1", "CSIDriver", "1.22", "storage.k8s.io/v1", "rename"],
    ["apiregistration.k8s.io/v1beta1", "APIService", "1.22", "apiregistration.k8s.io/v1", "rename"],
    ["authentication.k8s.io/v1beta1", "TokenReview", "1.22", "authentication.k8s.io/v1", "rename"],
    ["authorization.k8s.io/v1beta1", "SubjectAccessReview", "1.22", "authorization.k8s.io/v1", "rename"],
    ["authorization.k8s.io/v1beta1", "SelfSubjectAccessReview", "1.22", "authorization.k8s.io/v1", "rename"],
    ["certificates.k8s.io/v1beta1", "CertificateSigningRequest", "1.22", "certificates.k8s.io/v1", "manual"],
    ["coordination.k8s.io/v1beta1", "Lease", "1.22", "coordination.k8s.io/v1", "rename"],
    ["audit.k8s.io/v1alpha1", "Policy", "1.24", "audit.k8s.io/v1", "rename"],
    ["audit.k8s.io/v1beta1", "Policy", "1.24", "audit.k8s.io/v1", "rename"],
    ["batch/v1beta1", "CronJob", "1.25", "batch/v1", "rename"],
    ["discovery.k8s.io/v1beta1", "EndpointSlice", "1.25", "discovery.k8s.io/v1", "transform"],
    ["events.k8s.io/v1beta1", "Event", "1.25", "events.k8s.io/v1", "transform"],
    ["autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.25", "autoscaling/v2", "transform"],
    ["policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1", "rename"],
    ["policy/v1beta1", "PodSecurityPolicy", "1.25", null, "manual"],
    ["node.k8s.io/v1beta1", "RuntimeClass", "1.25", "node.k8s.io/v1", "rename"],
    ["autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.26", "autoscaling/v2", "rename"],
    ["flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.26", "flowcontrol.apiserver.k8s.io/v1beta2", "rename"],
    ["flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", "1.26", "flowcontrol.apiserver.k8s.io/v1beta2", "rename"],
    ["storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.27", "storage.k8s.io/v1", "rename"],
    ["flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.29", "flowcontrol.apiserver.k8s.io/v1", "transform"],
    ["flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", "1.32", "flowcontrol.apiserver.k8s.io/v1", "rename"],
    ["admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicy", "1.33", "admissionregistration.k8s.io/v1", "manual"],
    ["admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicyBinding", "1.33", "admissionregistration.k8s.io/v1", "manual"],
    ["resource.k8s.io/v1alpha3", "ResourceClaim", "1.34", "resource.k8s.io/v1", "manual"],
    ["resource.k8s.io/v1beta1", "ResourceSlice", "1.36", "resource.k8s.io/v1", "manual"],
  ] as const)("%s %s → removed %s", (apiVersion, kind, removedIn, replacement, fix) => {
    const e = DEPRECATED_APIS.entries.find((x) => x.apiVersion === apiVersion && x.kinds.includes(kind));
    expect(e, `${apiVersion} ${kind}`).toBeDefined();
    expect(e).toMatchObject({ removedIn, replacement, fix });
  });

  it("marks the ⚠︎ rows unverified", () => {
    const unverified = DEPRECATED_APIS.entries.filter((e) => e.verified === false).map((e) => e.apiVersion);
    expect(unverified).toEqual(["resource.k8s.io/v1alpha3", "resource.k8s.io/v1beta1"]);
  });
});
