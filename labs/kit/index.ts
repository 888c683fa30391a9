/** The lab kit's runtime-independent entry point (no Node or DOM APIs). */
export { labTest, beginSuite, suiteTests, type LabTestOptions, type RegisteredTest } from './registry.ts';
export { runSuite, describeError, type LabMeta, type RunOptions } from './runner.ts';
export { labSide, withReference, withReferenceFor } from './side.ts';
export type { LabTestContext } from './context.ts';
export { type ResultsDocument, type TestResult, type TaskResult, errorDocument, resultsProblems, scoreTasks } from './results.ts';
