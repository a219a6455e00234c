import { describe, expect, it } from "vitest";
import { MAX_COMMANDS_PER_COMMENT, needsWrite, parseCommands, sameCommands } from "../../src/github/chatops/parse.js";
import { cleanReason, insertCommentAbove, planSuppression } from "../../src/github/chatops/ignore.js";
import { scan } from "../../src/core/engine/scan.js";
import { deployment } from "../support/manifests.js";

const cmds = (body: string) => parseCommands(body).map((c) => c.command);

describe("parseCommands", () => {
  it("reads one command per line, case-insensitive, with arguments", () => {
    expect(cmds("/bulwark help")).toEqual([{ verb: "help" }]);
    expect(cmds("  /BULWARK Fix k8s-runtime-001 K8S-RUNTIME-002,")).toEqual([{ verb: "fix", rules: ["K8S-RUNTIME-001", "K8S-RUNTIME-002"] }]);
    expect(cmds("/bulwark fix")).toEqual([{ verb: "fix", rules: [] }]);
    expect(cmds("/bulwark explain K8S-RUNTIME-001")).toEqual([{ verb: "explain", ruleId: "K8S-RUNTIME-001" }]);
    expect(cmds("Thanks!\n/bulwark rescan\n/bulwark update\n")).toEqual([{ verb: "rescan" }, { verb: "update" }]);
    expect(cmds("/bulwark")).toEqual([{ verb: "help" }]);
  });

  it("parses ignore with and without a location; the reason is required", () => {
    expect(cmds("/bulwark ignore K8S-RUNTIME-001 needs the host network for CNI")).toEqual([{ verb: "ignore", ruleId: "K8S-RUNTIME-001", reason: "needs the host network for CNI" }]);
    expect(cmds("/bulwark ignore K8S-RUNTIME-001 k8s/web.yaml:22 CNI plugin")).toEqual([
      { verb: "ignore", ruleId: "K8S-RUNTIME-001", reason: "CNI plugin", location: { path: "k8s/web.yaml", line: 22 } },
    ]);
    expect(cmds("/bulwark ignore DOCKER-001 Dockerfile base image is pinned upstream")).toEqual([
      { verb: "ignore", ruleId: "DOCKER-001", reason: "base image is pinned upstream", location: { path: "Dockerfile" } },
    ]);
    expect(cmds("/bulwark ignore K8S-RUNTIME-001")[0]).toMatchObject({ verb: "invalid", reason: expect.stringContaining("needs a reason") });
    expect(cmds("/bulwark ignore K8S-RUNTIME-001 k8s/web.yaml:3")[0]).toMatchObject({ verb: "invalid" });
  });

  it("turns unknown verbs and bad arguments into invalid commands", () => {
    expect(cmds("/bulwark deploy prod")[0]).toMatchObject({ verb: "invalid", reason: "unknown command `deploy`" });
    expect(cmds("/bulwark fix everything")[0]).toMatchObject({ verb: "invalid" });
    expect(cmds("/bulwark explain")[0]).toMatchObject({ verb: "invalid" });
    expect(cmds("/bulwark help me")[0]).toMatchObject({ verb: "invalid" });
  });

  it("ignores quotes, fences, mid-line mentions and look-alikes", () => {
    expect(cmds("> /bulwark fix\n```\n/bulwark fix\n```\n~~~md\n/bulwark rescan\n~~~\nplease run /bulwark fix\n/bulwarkfix\n")).toEqual([]);
    expect(cmds("````\n```\n/bulwark fix\n````\n/bulwark help")).toEqual([{ verb: "help" }]);
  });

  it("caps the commands of one comment (one extra tells the caller)", () => {
    expect(parseCommands(Array.from({ length: 20 }, () => "/bulwark help").join("\n"))).toHaveLength(MAX_COMMANDS_PER_COMMENT + 1);
  });

  it("knows which commands need write access and which edits change nothing", () => {
    expect(cmds("/bulwark fix\n/bulwark ignore A-1 r\n/bulwark rescan\n/bulwark update").every(needsWrite)).toBe(true);
    expect(cmds("/bulwark help\n/bulwark explain A-1").some(needsWrite)).toBe(false);
    expect(sameCommands("/bulwark fix\nplease", "/bulwark  FIX\nplease, thanks")).toBe(true);
    expect(sameCommands("/bulwark fix", "/bulwark fix K8S-RUNTIME-001")).toBe(false);
  });
});

describe("suppression planning", () => {
  const options = { onlyRules: ["K8S-RUNTIME-001", "K8S-RUNTIME-002"] };
  it("inserts the comment above the field at its indentation, and the re-scan shows the finding suppressed", () => {
    const text = deployment("web", { privileged: true, apeFalse: true });
    const f = scan([{ path: "k8s/web.yaml", text }], options).findings.find((x) => x.ruleId === "K8S-RUNTIME-001")!;
    const plan = planSuppression(text, f, "CNI plugin needs it", options);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    const lines = plan.text.split("\n");
    expect(lines[plan.line - 1]).toBe("            # bulwark:ignore K8S-RUNTIME-001 CNI plugin needs it");
    expect(lines[plan.line]).toBe("            privileged: true");
    const after = scan([{ path: "k8s/web.yaml", text: plan.text }], options).findings.find((x) => x.fingerprint === f.fingerprint);
    expect(after?.suppressed?.reason).toBe("CNI plugin needs it");
  });

  it("suppresses a Dockerfile finding above its instruction, even when reported on a continuation line", () => {
    const text = "FROM nginx:1.27\nRUN apt-get update && \\\n    apt-get install -y curl\nUSER root\n";
    for (const f of scan([{ path: "Dockerfile", text }], {}).findings.filter((x) => !x.ruleId.startsWith("BULWARK-"))) {
      const plan = planSuppression(text, f, "accepted", {});
      expect(plan.ok, f.ruleId).toBe(true);
      if (!plan.ok) continue;
      expect(plan.text.split("\n")[plan.line - 1].trim()).toBe(`# bulwark:ignore ${f.ruleId} accepted`);
      // Above the instruction, or (finding on a continuation line) above that line.
      expect(plan.text.split("\n")[plan.line]).toBe(text.split("\n")[plan.line - 1]);
      expect(scan([{ path: "Dockerfile", text: plan.text }], {}).findings.find((x) => x.fingerprint === f.fingerprint)?.suppressed).toBeDefined();
    }
  });

  it("puts Dockerfile comments above the first line of the instruction", () => {
    expect(insertCommentAbove("FROM a\nRUN x \\\n  && y\n", 2, "# c")).toBe("FROM a\n# c\nRUN x \\\n  && y\n");
    expect(cleanReason("a\nb\tc  ")).toBe("a b c");
  });
});
