// Unified diffs in GitHub's `patch` format (hunks only, git conventions), computed with the
// `diff` package. Used by the fake GitHub to serve `GET /pulls/{n}/files` and by property tests.
import { structuredPatch } from "diff";

export interface MakePatchOptions {
  /** Context lines around changes; GitHub uses git's default of 3. */
  context?: number;
}

/** git's default "funcname" heuristic: the last earlier line starting with a letter, _ or $. */
function sectionHeading(oldLines: string[], beforeLine: number): string {
  for (let i = Math.min(beforeLine, oldLines.length) - 1; i >= 0; i--) {
    const l = oldLines[i];
    if (/^[A-Za-z_$]/.test(l)) {
      const trimmed = l.replace(/\s+$/, "");
      return trimmed.length > 80 ? trimmed.slice(0, 80) : trimmed;
    }
  }
  return "";
}

/**
 * The `patch` GitHub would show for a change from `oldText` to `newText`: "" when identical,
 * otherwise hunks with git-style headers ("@@ -a,b +c,d @@ heading", ",1" omitted, a zero
 * count names the line before) and no trailing newline. "\r" stays part of each line.
 */
export function makePatch(oldText: string, newText: string, opts: MakePatchOptions = {}): string {
  if (oldText === newText) return "";
  const context = opts.context ?? 3;
  const { hunks } = structuredPatch("a", "b", oldText, newText, "", "", { context });
  const oldLines = oldText.split("\n");
  const out: string[] = [];
  for (const h of hunks) {
    const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
    const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
    const count = (n: number): string => (n === 1 ? "" : `,${n}`);
    const heading = sectionHeading(oldLines, (h.oldLines === 0 ? oldStart + 1 : oldStart) - 1);
    out.push(`@@ -${oldStart}${count(h.oldLines)} +${newStart}${count(h.newLines)} @@${heading ? " " + heading : ""}`);
    out.push(...h.lines);
  }
  return out.join("\n");
}

/** A whole-file unified diff with git headers (for `Accept: application/vnd.github.diff`). */
export function makeFileDiff(
  oldPath: string | null,
  newPath: string | null,
  oldText: string,
  newText: string,
  opts: MakePatchOptions = {},
): string {
  const patch = makePatch(oldText, newText, opts);
  const a = oldPath ?? newPath ?? "";
  const b = newPath ?? oldPath ?? "";
  const head = [`diff --git a/${a} b/${b}`];
  if (oldPath === null) head.push("new file mode 100644");
  if (newPath === null) head.push("deleted file mode 100644");
  if (oldPath !== null && newPath !== null && oldPath !== newPath) head.push(`rename from ${oldPath}`, `rename to ${newPath}`);
  if (!patch) return head.join("\n") + "\n";
  head.push(`--- ${oldPath === null ? "/dev/null" : "a/" + oldPath}`, `+++ ${newPath === null ? "/dev/null" : "b/" + newPath}`);
  return head.join("\n") + "\n" + patch + "\n";
}
