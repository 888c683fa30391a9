/**
 * The options every runner passes to SES's `lockdown()`: the sandboxed grading child
 * (./node/child.ts) and the in-browser worker (site/lib/workbench/worker-lockdown.ts).
 * errorTaming 'unsafe' keeps V8's stack traces (the failure reports point at a line);
 * stackFiltering 'verbose' keeps every frame of them; 'moderate' override taming lets
 * `this.name = …` in Error subclasses work on a frozen prototype; consoleTaming 'unsafe' leaves
 * the host's console as it is (learner code gets its own). Node adds domainTaming 'unsafe' (it
 * has no domain module loaded for SES to guard).
 */
export const LOCKDOWN_OPTIONS = { errorTaming: 'unsafe', stackFiltering: 'verbose', overrideTaming: 'moderate', consoleTaming: 'unsafe' } as const;
