// Public surface of the fix layer: what rules and front ends import. The rest of the directory
// (planner, emitter, style detection) is internal and may change shape.
export type { FixOp, Path } from "./ops.js";
export { applyEdits, editsCompatible, groupEditsByPath, mapOffset, mergeEdits, OverlappingEditsError } from "./apply.js";
export { parseYamlForEdits, planYamlEdits, type FailedOp, type PlanOptions, type YamlEditPlan } from "./yaml-edit.js";
export { outsideEditProblems, verifyYamlEdits, type VerifyProblem, type VerifyResult } from "./verify.js";
export { applyOpsToData, dataEqual } from "./data-ops.js";
