// mode: update — stale base images and charts. The planner lives in src/updates/ (being written);
// until it is part of the build, update mode says so and fails, rather than pretending.
import type { RepoRef } from "../github/client.js";
import type { GitHubClient } from "../github/client.js";

export interface UpdateModeOptions {
  repo: RepoRef;
  /** The commit whose files are checked. */
  sha: string;
  paths: readonly string[];
  configPath: string;
  now: Date;
  env: Readonly<Record<string, string | undefined>>;
}

export interface UpdateModeResult {
  /** Markdown for the job summary. */
  markdown: string;
  notes: string[];
  /** Fails the job. */
  error?: string;
}

export async function runUpdateMode(_client: GitHubClient, _options: UpdateModeOptions): Promise<UpdateModeResult> {
  return {
    markdown: "",
    notes: [],
    error: "mode: update is not available in this version of the action (the update planner is not part of this build)",
  };
}
