/**
 * The few calls the course server makes into the workshop record, kept here so its own change is
 * a handful of lines: opening the record (saying so when an unreadable file was set aside),
 * joining, and recording a graded Run or Submit for the learner whose browser sent its id.
 */
import type { ResultsDocument } from '../../../labs/kit/results.ts';
import { WorkshopRecord, WorkshopRecordError, checkLearnerName, type Attempt } from './record.ts';

/** Sent by a joined learner's browser with each /api/run, next to the join token (protocol.ts). */
export { LEARNER_HEADER } from '../protocol.ts';

export function openWorkshopRecord(file: string | undefined, log: (line: string) => void = console.log): WorkshopRecord {
  const record = WorkshopRecord.open(file);
  log(`workshop record: ${record.file} (${record.learners().length} learners, ${record.attempts().length} runs and submits so far)`);
  if (record.recovered) log(`  ${record.recovered.movedTo} could not be read as a record (${record.recovered.reason}); it was kept there and a new record started`);
  return record;
}

/** POST /api/join {name} → 200 {learner: {id, name}} or 400 {error}. */
export function joinWorkshop(record: WorkshopRecord, body: unknown): { status: number; body: unknown } {
  const name = checkLearnerName((body as { name?: unknown } | null)?.name);
  if (typeof name !== 'string') return { status: 400, body: name };
  const learner = record.addLearner(name);
  return { status: 200, body: { learner: { id: learner.id, name: learner.name } } };
}

/**
 * After a grade: records it for the learner named by the header. An unknown or missing id records
 * nothing and never fails the grade (a learner who did not join still gets the answer).
 */
export function recordGrade(record: WorkshopRecord, learnerId: string | string[] | undefined, doc: ResultsDocument, durationMs: number): Attempt | null {
  if (typeof learnerId !== 'string' || !record.learner(learnerId)) return null;
  try {
    return record.addAttempt(learnerId, doc, { durationMs });
  } catch (err) {
    if (err instanceof WorkshopRecordError) return null;
    throw err;
  }
}
