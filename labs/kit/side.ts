/**
 * Whose implementation of a lab's files is running: the reference (while a fixture builds the
 * state a test starts from) or the learner's (everything the test then checks).
 *
 * Runners load a tree in which each lab file is a small dispatcher (see ./shim.ts) that forwards
 * every exported function to `<file>.reference.ts` or `<file>.learner.ts` according to this flag.
 * That is how the teardown lab can start in ESTABLISHED even while the learner's close() is a
 * stub, and how a handshake test can start in SYN_SENT without running the learner's ISN code.
 */
export const labSide = {
  learner: true,
  /** Functions that run the reference even on the learner's side (see withReferenceFor). */
  referenceOnly: new Set<string>(),
};

/** Runs `build` on the reference implementation, then hands control back to the learner's. */
export function withReference<T>(build: () => T): T {
  const before = labSide.learner;
  labSide.learner = false;
  try {
    return build();
  } finally {
    labSide.learner = before;
  }
}

/**
 * Runs `fn` on the learner's code except the exported functions named, which run the reference.
 * For a test of a later task whose path goes through an earlier task's function in the same call
 * (a cookie SYN-ACK computes the MSS index and the cookie in one go): the test must not fail
 * because that earlier task is unfinished.
 */
export function withReferenceFor<T>(names: readonly string[], fn: () => T): T {
  const added = names.filter((n) => !labSide.referenceOnly.has(n));
  for (const n of added) labSide.referenceOnly.add(n);
  try {
    return fn();
  } finally {
    for (const n of added) labSide.referenceOnly.delete(n);
  }
}
