// Shapes shared by the update extractors, datasources, versioning and the planner.
// Extraction is pure (files in, dependencies out); datasources do the I/O; the planner turns
// both into proposals with byte-preserving edits. See DESIGN.md (`bulwark updates`).
import type { Path } from "../core/fix/ops.js";
import type { ParsedImageRef } from "../core/image/reference.js";
import type { Range, ResourceRef } from "../core/types.js";

export type DependencyKind = "image" | "chart";

/** Where versions come from: an OCI registry (images and OCI charts) or a Helm HTTP repository. */
export type DatasourceName = "docker" | "helm";

/** Which file format the dependency was found in. */
export type DependencySource = "dockerfile" | "kubernetes" | "helm-values" | "chart-yaml" | "flux" | "argocd" | "kustomize";

/**
 * How to rewrite a dependency without touching any other byte.
 *
 * - `yaml`: FixOp `set` paths into document `docIndex` of the file (planned with
 *   `planYamlEdits`, which keeps quoting and comments). `ref` holds a whole image reference
 *   (`repo:tag@digest`), `tag`/`digest`/`version` hold just that part. A `tag` scalar that
 *   carries `tag@sha256:…` is rewritten as a whole. `numeric` lists roles whose scalar is a
 *   YAML number today (`tag: 1.25`): the planner keeps it a number when the new value round-trips.
 * - `text`: the resolved string is the concatenation of `segments`, each a stretch of the
 *   original text (a literal part of a `FROM` line, or the default of an `ARG`). The planner
 *   diffs old and new resolved strings and edits the one segment that holds the change.
 */
export type DependencyEdit =
  | {
      type: "yaml";
      docIndex: number;
      ref?: Path;
      tag?: Path;
      digest?: Path;
      version?: Path;
      numeric?: ("tag" | "version")[];
    }
  | { type: "text"; segments: TextSegment[] };

export interface TextSegment {
  /** Offsets into the original text: [start, end). */
  start: number;
  end: number;
  /** The text of the segment as it contributes to the resolved value. */
  text: string;
  /** "literal" (in the FROM line itself) or the name of the ARG whose default this is. */
  origin: string;
}

export interface Dependency {
  /** Stable identity inside one repository snapshot: path + where in the file. */
  id: string;
  path: string;
  /** 1-based range of the value that names the dependency. */
  range: Range;
  kind: DependencyKind;
  /** As the user wrote it, without tag or digest: "python", "ghcr.io/acme/web", chart "redis". */
  name: string;
  /** The current tag (images) or version / version range (charts), as written. */
  current: string;
  /** The digest pinned today (images only). */
  currentDigest?: string;
  datasource: DatasourceName;
  /**
   * docker: "registry/repository" (docker.io/library/python; OCI charts host/path/chart).
   * helm: the chart name in the repository's index.yaml.
   */
  packageName: string;
  /** helm: the repository URL; docker: the registry host; OCI charts: the oci:// URL as written. */
  registryUrl?: string;
  source: DependencySource;
  /** The parsed reference for images (with tag/digest as resolved for lookups). */
  image?: ParsedImageRef;
  /** `FROM --platform=…` (Dockerfile), for per-platform digests. */
  platform?: string;
  /** The Kubernetes object (or Dockerfile stage) the dependency belongs to. */
  resource?: ResourceRef;
  /** How to rewrite the value byte-preservingly. */
  edit: DependencyEdit;
}

/** A place that looked like a dependency but cannot be updated (templated, local chart …). */
export interface SkippedDependency {
  path: string;
  range: Range;
  kind: DependencyKind;
  name: string;
  reason: string;
}

export interface ExtractionResult {
  dependencies: Dependency[];
  skipped: SkippedDependency[];
}

export type UpdateReason = "newer" | "eol" | "vulnerable" | "deprecated";

/** "pin": only a digest is added; "digest": the tag stays, its digest moved; "os": only the OS release moves. */
export type UpdateType = "major" | "minor" | "patch" | "digest" | "pin" | "os" | "none";

export interface UpdateError {
  path?: string;
  dependency?: string;
  message: string;
}
