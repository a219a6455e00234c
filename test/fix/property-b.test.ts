import fc from "fast-check";
import { it } from "vitest";
import { adversarial } from "./arbitraries.js";
import { checkAdversarial } from "./property.js";

// 6,000 of the 10,000 generated cases (property-a.test.ts has the securityContext ones):
// random existing paths, tricky keys and values, renames. Refusals are allowed; accepted ops
// must produce exactly the expected data with nothing else touched.
// Generous: other suites may share the CPU; the suite budget is the run count, not this.
const TIMEOUT = 300_000;
const RUNS = Number(process.env.FIX_PROPERTY_RUNS ?? 6000);

it(`random ops on random paths never break the file (${RUNS} cases)`, () => {
  fc.assert(
    fc.property(adversarial, ({ model, picks }) => checkAdversarial(model, picks)),
    { numRuns: RUNS },
  );
}, TIMEOUT);
