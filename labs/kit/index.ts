/** The lab kit's runtime-independent entry point (no Node or DOM APIs). */
export { labTest, beginSuite, SuiteRegistry, type LabTestOptions, type RegisteredTest, type Suite, type TestScoring } from './registry.ts';
export { runSuite, describeError, type RunOptions } from './runner.ts';
export type { LabMeta } from './definition.ts';
export { labSide, withReference, withReferenceFor } from './side.ts';
export type { LabTestContext } from './context.ts';
export { type ResultsDocument, type TestResult, type TaskResult, errorDocument, resultsProblems, scoreTasks } from './results.ts';
