/**
 * How a lab test counts toward its task's points. Lab suites import `labTest` from here; its two
 * scoring options are kept with the test in the suite's registry (./registry.ts), and
 * `scoreTasks` (./results.ts) reads them from there.
 *
 * - `guard: true` marks a test that checks a rejection or a silence: "a RST with a bad ACK is
 *   ignored", "nothing is sent". An empty or constant implementation passes such tests without any
 *   work, so a guard earns its points only in proportion to the task's behaviour tests (the ones
 *   that need the code to act) that pass: with none of them passing, the guards earn nothing.
 * - `weight` (default 1) makes a test count more, or less, within its task: a blind-attack check
 *   outweighs the name of a counter.
 */
export { labTest, type LabTestOptions as ScoredTestOptions, type TestScoring } from './registry.ts';
