// Run by worker-lockdown.test.ts in a process of its own (lockdown() freezes the realm for good):
// grades handshake's hidden suite with the worker's grader, locked down as the worker is
// (`ses`) or not (`plain`), and prints one results document per submission as JSON.
import { readLab, runModules, solution, workspace } from '../../lib/workbench/lab-data.ts';
import { transpile } from '../../lib/workbench/transpile.ts';
import { WorkerGrader } from '../../lib/workbench/worker-grade.ts';
import { lockDownWorker } from '../../lib/workbench/worker-lockdown.ts';
import { labMeta } from '../../../labs/kit/definition.ts';

const mode = process.argv[2];
// Kept to print with, and (without lockdown) put back after each submission so each is graded alone.
const { stringify } = JSON;
const { round } = Math;
const lab = labMeta(readLab('handshake'));
const file = lab.files[0];
const grader = new WorkerGrader(transpile);
grader.addModules(runModules('handshake', 'visible'));
grader.addModules(runModules('handshake', 'hidden'));
if (mode === 'ses') grader.isolation = await lockDownWorker();
const starter = workspace('handshake').starters[file];
const submissions: Record<string, string> = {
  reference: solution('handshake')[file],
  // The kit rounds every score with Math.round: replaced, it would give a starter full points.
  forgedRound: `${starter}\nMath.round = () => 10000;\n`,
  forgedStringify: `${starter}\nJSON.stringify = () => '{"status":"pass"}';\n`,
  // The dispatcher's switch: with it, every test would run the reference.
  kitImport: `import { labSide } from '../../../labs/kit/side.ts';\n${starter}\nlabSide.referenceOnly.add = () => labSide.referenceOnly;\nObject.defineProperty(labSide, 'learner', { get: () => false, set() {} });\n`,
};
const out: Record<string, { status: string; points: number; message: string | null; stringifyIntact: boolean }> = {};
for (const [name, text] of Object.entries(submissions)) {
  const doc = grader.grade({ lab, suite: 'hidden', files: { [file]: text } });
  out[name] = { status: doc.status, points: doc.score.points, message: doc.message, stringifyIntact: JSON.stringify === stringify };
  if (mode !== 'ses') {
    JSON.stringify = stringify;
    Math.round = round;
  }
}
process.stdout.write(`${stringify(out)}\n`);
