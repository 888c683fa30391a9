/**
 * The course's results document as the payload GitHub Classroom's reporter reads
 * (classroom-resources/autograding-grading-reporter: one runner's `result` output, base64 JSON with
 * `max_score` and `tests[].score`, summed into "Points N/M"). One entry per task of the lab, scored
 * as the course scores it (a task's points shared equally by its tests), so Classroom shows the
 * same partial points as `npm run grade` — which one all-or-nothing command step per task could not.
 */
import type { ResultsDocument, RunStatus } from '../kit/results.ts';

export interface ClassroomTest {
  name: string;
  status: RunStatus;
  score: number;
  message: string | null;
  test_code: string;
  filename: string;
  line_no: number;
  duration: number;
}

export interface ClassroomPayload {
  version: 1;
  status: RunStatus;
  max_score: number;
  tests: ClassroomTest[];
}

export function toClassroom(doc: ResultsDocument): ClassroomPayload {
  const tests = doc.tasks.map((task): ClassroomTest => {
    const mine = doc.tests.filter((t) => t.task_id === task.id);
    const firstFailure = mine.find((t) => t.status !== 'pass');
    const message =
      doc.status === 'error'
        ? doc.message ?? 'the run stopped before any test ran'
        : firstFailure
          ? `${task.passed}/${task.total} tests pass; first failure: ${firstFailure.name} — ${firstFailure.message ?? ''}`.trim()
          : null;
    return {
      name: `${doc.lab} task ${task.id}: ${task.title} (${task.points}/${task.max} points)`,
      status: task.status,
      score: task.points,
      message,
      test_code: `npm run grade -- ${doc.lab} (hidden tests of task ${task.id}: ${task.passed}/${task.total} pass)`,
      filename: '',
      line_no: 0,
      duration: mine.reduce((n, t) => n + t.duration_ms, 0),
    };
  });
  return { version: 1, status: doc.status, max_score: doc.score.max, tests };
}

/** What the workflow step writes to $GITHUB_OUTPUT as `result=…`. */
export function classroomOutput(payload: ClassroomPayload): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
}
