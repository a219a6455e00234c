// The teardown the fake-GitHub tests share. A test that talked to the fake must leave no contract
// violations behind (the fake checks every request against GitHub's OpenAPI description, the proxy
// the GraphQL queries it answers): that is an assertion, and it fails the test. Whatever it says,
// everything the test started is stopped afterwards, in order, so that a failure does not leak
// ports, processes or queues into the next test.
import { afterEach } from "vitest";

/** A `Fake` (fake-stack.ts), the app's `Harness` around one, or a `GitHubProxy`. */
export interface Checked {
  /** Throws with the recorded violations. */
  assertNoViolations(): void;
}

/** `subject.assertNoViolations()`, then every `stop` in order — in a `finally`: also when the assertion throws. */
export async function assertNoViolationsThenStop(subject: Checked, ...stops: (() => unknown)[]): Promise<void> {
  try {
    subject.assertNoViolations();
  } finally {
    for (const stop of stops) await stop();
  }
}

/**
 * For tests that start their own fake (or harness): registers an afterEach that asserts no
 * violations on the one `track()`ed during the test, if any, then stops it.
 *
 *   const fakes = assertNoViolationsAfterEach<Fake>();
 *   it("…", async () => { const fake = fakes.track(await startFake()); … });
 */
export function assertNoViolationsAfterEach<T extends Checked & { stop(): Promise<void> }>(): { track(x: T): T } {
  let current: T | undefined;
  afterEach(async () => {
    const x = current;
    current = undefined;
    if (x) await assertNoViolationsThenStop(x, () => x.stop());
  });
  return {
    track: (x) => {
      current = x;
      return x;
    },
  };
}
