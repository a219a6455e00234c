// `bulwark rules` and `bulwark explain`: the catalog as a table, one rule as a document.
import type { Catalog } from "../core/engine/catalog.js";
import type { RuleMeta } from "../core/engine/rule.js";

export function listRules(catalog: Catalog, format: "text" | "json"): string {
  const metas = [...catalog.metas.values()].sort((a, b) => a.id.localeCompare(b.id));
  if (format === "json") {
    const rows = metas.map((m) => ({ id: m.id, title: m.title, severity: m.severity, category: m.category, profiles: m.profiles, fix: m.fix, defaultEnabled: m.defaultEnabled }));
    return `${JSON.stringify({ rules: rows }, null, 2)}\n`;
  }
  const w = Math.max(...metas.map((m) => m.id.length));
  const lines = metas.map((m) => `${m.id.padEnd(w)}  ${m.severity.padEnd(8)}  ${m.fix.padEnd(7)}  ${m.title}${m.defaultEnabled ? "" : " (off by default)"}`);
  return `${"ID".padEnd(w)}  SEVERITY  FIX      TITLE\n${lines.join("\n")}\n${metas.length} rules\n`;
}

export function explainRule(catalog: Catalog, id: string): string | undefined {
  const meta = catalog.meta(id.toUpperCase());
  return meta ? ruleDocument(meta, "text") : undefined;
}

const PEERS: [keyof RuleMeta["references"], string][] = [
  ["kubescape", "Kubescape"],
  ["checkov", "Checkov"],
  ["trivy", "Trivy"],
  ["kubelinter", "KubeLinter"],
  ["polaris", "Polaris"],
  ["hadolint", "hadolint"],
  ["kubescore", "kube-score"],
  ["cis", "CIS Kubernetes Benchmark"],
];

/** One rule's documentation, shared by `bulwark explain`, `/bulwark explain` and docs/rules.md. */
export function ruleDocument(meta: RuleMeta, style: "text" | "markdown"): string {
  const md = style === "markdown";
  const h = (s: string) => (md ? `### ${s}\n\n` : `${s}\n${"-".repeat(s.length)}\n`);
  const fence = (lang: string, body: string) => (md ? `\`\`\`${lang}\n${body.replace(/\n$/, "")}\n\`\`\`\n` : body.replace(/\n$/, "").split("\n").map((l) => `    ${l}`).join("\n") + "\n");
  const lang = (file?: string) => (file && /Dockerfile|Containerfile/i.test(file) ? "dockerfile" : "yaml");
  let out = md ? `## ${meta.id} — ${meta.title}\n\n` : `${meta.id} — ${meta.title}\n${"=".repeat(meta.id.length + meta.title.length + 3)}\n`;
  out += `${md ? "**Severity:** " : "Severity: "}${meta.severity} · ${md ? "**Category:** " : "Category: "}${meta.category} · ${md ? "**Profiles:** " : "Profiles: "}${meta.profiles.join(", ")} · ${md ? "**Fix:** " : "Fix: "}${meta.fix}${meta.defaultEnabled ? "" : " · off by default"}\n\n`;
  out += h("Why") + `${meta.description.trim()}\n\n`;
  out += h("What to do") + `${meta.remediation.trim()}\n\n`;
  if (meta.missingField) out += h("When the field is missing") + `${meta.missingField.trim()}\n\n`;
  if (meta.fixWarning) out += h("Before applying the fix") + `${meta.fixWarning.trim()}\n\n`;
  const refs: string[] = [];
  const r = meta.references;
  if (r.pss) refs.push(`Pod Security Standards ${r.pss.level}: ${r.pss.control} (PSA: ${r.pss.checks.join(", ")})`);
  for (const [key, label] of PEERS) {
    const v = r[key];
    if (Array.isArray(v) && v.length > 0) refs.push(`${label}: ${v.join(", ")}`);
  }
  if (r.nsa) refs.push("NSA/CISA Kubernetes Hardening Guide");
  for (const l of r.links ?? []) refs.push(l);
  if (refs.length) out += h("References") + refs.map((x) => `- ${x}`).join("\n") + "\n\n";
  const ex = meta.examples;
  for (const e of ex.failing) {
    out += h(`Failing: ${e.name}`) + fence(lang(e.file), e.content) + "\n";
    if (e.fixed !== undefined) out += h(`Fixed: ${e.name}`) + fence(lang(e.file), e.fixed) + "\n";
  }
  for (const e of ex.passing) out += h(`Passing: ${e.name}`) + fence(lang(e.file), e.content) + "\n";
  return out;
}
