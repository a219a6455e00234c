import fc from "fast-check";
import { it } from "vitest";
import { scenario } from "./arbitraries.js";
import { checkScenario } from "./property.js";

// 4,000 of the 10,000 generated cases; property-b.test.ts runs 6,000 cheaper ones on the other
// worker, so both files take about as long (~25 s each on an idle 2-core machine).
// Generous: other suites may share the CPU; the suite budget is the run count, not this.
const TIMEOUT = 300_000;
const RUNS = Number(process.env.FIX_PROPERTY_RUNS ?? 4000);

it(`planned securityContext fixes re-parse to the expected data, are idempotent and touch nothing else (${RUNS} cases)`, () => {
  fc.assert(fc.property(scenario, checkScenario), { numRuns: RUNS });
}, TIMEOUT);
