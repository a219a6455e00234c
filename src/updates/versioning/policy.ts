// Update policies (config `updates.policy`): how far a version may move.
//   patch  same major and minor (1.2.3 → 1.2.9)
//   minor  same major           (1.2.3 → 1.9.0)
//   major  anything newer       (1.2.3 → 3.0.0)
// "Major" means the first version component changes (for 0.x too: 0.3 → 0.4 is minor here,
// as docker tags carry no semver promise).

export type UpdatePolicy = "patch" | "minor" | "major";

export type VersionChange = "major" | "minor" | "patch" | "none";

/** The largest component that differs between two numeric versions. */
export function versionChange(from: readonly number[], to: readonly number[]): VersionChange {
  const n = Math.max(from.length, to.length);
  for (let i = 0; i < n; i++) {
    if ((from[i] ?? 0) !== (to[i] ?? 0)) return i === 0 ? "major" : i === 1 ? "minor" : "patch";
  }
  return "none";
}

export function allowedByPolicy(change: VersionChange, policy: UpdatePolicy): boolean {
  if (change === "none") return true;
  if (policy === "major") return true;
  if (policy === "minor") return change !== "major";
  return change === "patch";
}
