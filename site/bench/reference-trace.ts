// The reference run drawn beside a failing test (WorkerGrader.referenceTrace, used by the
// in-browser worker and the course server's reference tracer), measured under Node with the
// module maps the site serves, warm (module bodies compiled once): for each lab, the starter's
// first failing hidden test, as the workbench asks for it.
//
//   npx tsx site/bench/reference-trace.ts [--runs 20] [--lab handshake]
import { labExists, readLab, runModules, workspace } from '../lib/workbench/lab-data.ts';
import { transpile } from '../lib/workbench/transpile.ts';
import { WorkerGrader } from '../lib/workbench/worker-grade.ts';
import { LAB_SLUGS } from '../lib/course-map.ts';
import { labMeta } from '../../labs/kit/definition.ts';
import { median, option } from './measure.ts';

const runs = Number(option('runs', '20'));
const labs = process.argv.includes('--lab') ? [option('lab', 'handshake')] : LAB_SLUGS.filter(labExists);
for (const slug of labs) {
  const def = readLab(slug);
  const lab = labMeta(def);
  const grader = new WorkerGrader(transpile);
  grader.addModules(runModules(slug, 'visible'));
  grader.addModules(runModules(slug, 'hidden'));
  const starter = grader.grade({ lab, suite: 'hidden', files: workspace(slug).starters });
  const test = starter.tests.find((t) => t.trace_ref)?.name;
  if (!test) throw new Error(`${slug}: the starter fails no hidden test with a trace`);
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    const trace = grader.referenceTrace(lab, 'hidden', test, 1);
    if (i > 0) times.push(performance.now() - started);
    if (!trace?.length) throw new Error(`${slug}: no reference trace for "${test}"`);
  }
  console.log(`${slug} (${starter.tests.length} hidden tests): one test's reference trace, median ${median(times).toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, ${runs} runs)`);
}
