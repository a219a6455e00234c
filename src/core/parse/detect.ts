// Which parser a file goes to, decided by its name (and, for YAML, a cheap look at the text).

export type FileKind = "manifest" | "dockerfile" | "chart" | "values" | "kustomization" | "other";

const DOCKERFILE_NAMES = /^(?:Dockerfile|Containerfile)$|^(?:Dockerfile|Containerfile)\.[^/]+$|\.(?:Dockerfile|Containerfile)$/i;

export function baseName(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? path : path.slice(i + 1);
}

export function detectFileKind(path: string): FileKind {
  const name = baseName(path.replace(/\\/g, "/"));
  if (DOCKERFILE_NAMES.test(name) && !/\.(?:dockerignore|md|txt)$/i.test(name)) return "dockerfile";
  if (name === "Chart.yaml" || name === "Chart.yml") return "chart";
  if (/^kustomization\.ya?ml$/i.test(name) || name === "Kustomization") return "kustomization";
  if (/^values(?:[-.][^/]*)?\.ya?ml$/i.test(name)) return "values";
  if (/\.(?:ya?ml|json)$/i.test(name)) return "manifest";
  return "other";
}

/** A Helm template: Go-template actions in a YAML file. Helm support renders these separately. */
export function looksLikeHelmTemplate(path: string, text: string): boolean {
  return /(^|\/)templates\//.test(path) ? text.includes("{{") : /\{\{-?\s/.test(text) || /\{\{[-.$a-zA-Z]/.test(text);
}

/** NUL bytes in the first 8 KiB: the file is binary, whatever its name says. */
export function looksBinary(text: string): boolean {
  return text.slice(0, 8192).includes("\u0000");
}
