// What a rule wants changed, independent of how the text is edited. Rules emit these
// ops; the YAML edit planner (./yaml-edit.ts) turns them into byte-preserving TextEdits.

/** A path from the document root: map keys and sequence indices. */
export type Path = readonly (string | number)[];

export type FixOp =
  /** Set a scalar (or create the key, with any missing parent mappings). `value` is plain data. */
  | { op: "set"; path: Path; value: unknown }
  /** Delete a mapping key or a sequence item, with the comment lines that belong to it. */
  | { op: "delete"; path: Path }
  /** Append an item to the sequence at `path`, creating the sequence (and parents) if absent. */
  | { op: "append"; path: Path; value: unknown }
  /** Rename a mapping key in place, keeping its value text untouched. */
  | { op: "rename"; path: Path; newKey: string };
