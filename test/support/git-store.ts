// A content-addressed git object store with real SHA-1 object ids (blob, tree, commit), as
// `git hash-object` computes them. Backs the fake GitHub's repositories.
import { createHash } from "node:crypto";

export type FileMode = "100644" | "100755" | "040000" | "160000" | "120000";

export interface TreeEntry {
  name: string;
  mode: FileMode;
  type: "blob" | "tree" | "commit";
  sha: string;
}

export interface Signature {
  name: string;
  email: string;
  /** ISO 8601. */
  date: string;
}

export type GitObject =
  | { type: "blob"; content: Buffer }
  | { type: "tree"; entries: TreeEntry[] }
  | { type: "commit"; tree: string; parents: string[]; message: string; author: Signature; committer: Signature };

export interface FileAt {
  path: string;
  sha: string;
  mode: FileMode;
  content: Buffer;
}

function sha1(header: string, body: Buffer): string {
  return createHash("sha1").update(Buffer.concat([Buffer.from(header, "utf8"), body])).digest("hex");
}

/** git's tree entry order: by name bytes, directories compared as "name/". */
function compareEntries(a: TreeEntry, b: TreeEntry): number {
  const ka = Buffer.from(a.type === "tree" ? `${a.name}/` : a.name, "utf8");
  const kb = Buffer.from(b.type === "tree" ? `${b.name}/` : b.name, "utf8");
  return Buffer.compare(ka, kb);
}

function signatureLine(kind: string, s: Signature): string {
  const secs = Math.floor(new Date(s.date).getTime() / 1000);
  return `${kind} ${s.name} <${s.email}> ${secs} +0000`;
}

export const DEFAULT_SIGNATURE: Signature = { name: "Fake Octocat", email: "octocat@example.invalid", date: "2026-01-01T00:00:00Z" };

export class GitStore {
  readonly objects = new Map<string, GitObject>();

  putBlob(content: Buffer | string): string {
    const body = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const sha = sha1(`blob ${body.length}\0`, body);
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "blob", content: body });
    return sha;
  }

  putTree(entries: readonly TreeEntry[]): string {
    const sorted = [...entries].sort(compareEntries);
    const body = Buffer.concat(
      sorted.map((e) =>
        Buffer.concat([Buffer.from(`${e.mode === "040000" ? "40000" : e.mode} ${e.name}\0`, "utf8"), Buffer.from(e.sha, "hex")]),
      ),
    );
    const sha = sha1(`tree ${body.length}\0`, body);
    if (!this.objects.has(sha)) this.objects.set(sha, { type: "tree", entries: sorted });
    return sha;
  }

  putCommit(c: { tree: string; parents: readonly string[]; message: string; author?: Signature; committer?: Signature }): string {
    const author = c.author ?? DEFAULT_SIGNATURE;
    const committer = c.committer ?? author;
    const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), signatureLine("author", author), signatureLine("committer", committer)];
    const body = Buffer.from(`${lines.join("\n")}\n\n${c.message}`, "utf8");
    const sha = sha1(`commit ${body.length}\0`, body);
    if (!this.objects.has(sha))
      this.objects.set(sha, { type: "commit", tree: c.tree, parents: [...c.parents], message: c.message, author, committer });
    return sha;
  }

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha);
  }

  blob(sha: string): Buffer | undefined {
    const o = this.objects.get(sha);
    return o?.type === "blob" ? o.content : undefined;
  }

  tree(sha: string): TreeEntry[] | undefined {
    const o = this.objects.get(sha);
    return o?.type === "tree" ? o.entries : undefined;
  }

  commit(sha: string): Extract<GitObject, { type: "commit" }> | undefined {
    const o = this.objects.get(sha);
    return o?.type === "commit" ? o : undefined;
  }

  /** Resolve an abbreviated (≥ 4 hex digits) or full object id. */
  resolvePrefix(prefix: string): string | undefined {
    if (!/^[0-9a-f]{4,40}$/i.test(prefix)) return undefined;
    const p = prefix.toLowerCase();
    if (this.objects.has(p)) return p;
    let found: string | undefined;
    for (const k of this.objects.keys())
      if (k.startsWith(p)) {
        if (found) return undefined; // ambiguous
        found = k;
      }
    return found;
  }

  /** Build a (nested) tree from path → content; `null` deletes a path of `baseTree`. */
  writeTree(files: Readonly<Record<string, string | Buffer | null | { sha: string; mode?: FileMode }>>, baseTree?: string): string {
    const flat = new Map<string, { sha: string; mode: FileMode }>();
    if (baseTree) for (const f of this.listTree(baseTree)) flat.set(f.path, { sha: f.sha, mode: f.mode });
    for (const [path, v] of Object.entries(files)) {
      const clean = path.replace(/^\/+/, "");
      if (v === null) {
        flat.delete(clean);
        for (const k of [...flat.keys()]) if (k.startsWith(`${clean}/`)) flat.delete(k); // deleting a directory
      } else if (typeof v === "string" || Buffer.isBuffer(v)) {
        flat.set(clean, { sha: this.putBlob(v), mode: "100644" });
      } else {
        flat.set(clean, { sha: v.sha, mode: v.mode ?? "100644" });
      }
    }
    return this.treeFromFlat(flat);
  }

  treeFromFlat(flat: ReadonlyMap<string, { sha: string; mode: FileMode }>): string {
    interface Dir {
      files: TreeEntry[];
      dirs: Map<string, Dir>;
    }
    const root: Dir = { files: [], dirs: new Map() };
    for (const [path, { sha, mode }] of flat) {
      const parts = path.split("/");
      let d = root;
      for (const part of parts.slice(0, -1)) {
        let next = d.dirs.get(part);
        if (!next) d.dirs.set(part, (next = { files: [], dirs: new Map() }));
        d = next;
      }
      d.files.push({ name: parts[parts.length - 1], mode, type: mode === "160000" ? "commit" : "blob", sha });
    }
    const write = (d: Dir): string => {
      const entries = [...d.files];
      for (const [name, sub] of d.dirs) entries.push({ name, mode: "040000", type: "tree", sha: write(sub) });
      return this.putTree(entries);
    };
    return write(root);
  }

  /** Every file (blob or submodule) under a tree, with its full path. Subtrees are expanded. */
  listTree(treeSha: string, prefix = ""): FileAt[] {
    const entries = this.tree(treeSha);
    if (!entries) throw new Error(`not a tree: ${treeSha}`);
    const out: FileAt[] = [];
    for (const e of entries) {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.type === "tree") out.push(...this.listTree(e.sha, path));
      else out.push({ path, sha: e.sha, mode: e.mode, content: this.blob(e.sha) ?? Buffer.alloc(0) });
    }
    return out;
  }

  /** path → file of a commit (or tree). */
  files(commitOrTree: string): Map<string, FileAt> {
    const c = this.commit(commitOrTree);
    const tree = c ? c.tree : commitOrTree;
    return new Map(this.listTree(tree).map((f) => [f.path, f]));
  }

  /** Every commit reachable from `sha` (including it). */
  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      const c = this.commit(s);
      if (!c) continue;
      seen.add(s);
      stack.push(...c.parents);
    }
    return seen;
  }

  isAncestor(ancestor: string, of: string): boolean {
    return this.ancestors(of).has(ancestor);
  }

  /** The nearest common ancestor (breadth-first from `b`). */
  mergeBase(a: string, b: string): string | undefined {
    const fromA = this.ancestors(a);
    const queue = [b];
    const seen = new Set<string>();
    while (queue.length) {
      const s = queue.shift()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (fromA.has(s)) return s;
      queue.push(...(this.commit(s)?.parents ?? []));
    }
    return undefined;
  }

  /** Commits reachable from `head` but not from `base`, oldest first. */
  commitsBetween(base: string, head: string): string[] {
    const exclude = this.ancestors(base);
    const out: string[] = [];
    const seen = new Set<string>();
    const visit = (s: string): void => {
      if (seen.has(s) || exclude.has(s)) return;
      seen.add(s);
      const c = this.commit(s);
      if (!c) return;
      for (const p of c.parents) visit(p);
      out.push(s);
    };
    visit(head);
    return out;
  }
}
