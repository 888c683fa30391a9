/**
 * The last results of each lab, kept so a reload shows what the learner last saw instead of an
 * empty panel. They can always be made again by pressing Run, so unlike the learner's files they
 * are not exported, and a copy that cannot be read is simply dropped.
 */
import { acceptResults, firstFailure, type ResultsDocument, type Suite } from './results.ts';

export const RESULTS_PREFIX = 'tcp-course:results:';

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface StoredResults {
  version: 1;
  doc: ResultsDocument;
  suite: Suite;
  savedAt: string;
}

export function resultsKey(lab: string): string {
  return `${RESULTS_PREFIX}${lab}`;
}

/** Only the first failure's trace is drawn, so the others are dropped when room is short. */
function withFirstTraceOnly(doc: ResultsDocument): ResultsDocument {
  const keep = firstFailure(doc)?.trace_ref ?? null;
  return {
    ...doc,
    tests: doc.tests.map((t) => (t.trace_ref === keep ? t : { ...t, trace_ref: null })),
    traces: keep !== null && doc.traces[keep] ? { [keep]: doc.traces[keep] } : {},
  };
}

/** Returns false when the browser refused even the trimmed copy (the page still shows the results). */
export function storeResults(storage: StorageLike, lab: string, doc: ResultsDocument, now: Date = new Date()): boolean {
  for (const candidate of [doc, withFirstTraceOnly(doc)]) {
    const record: StoredResults = { version: 1, doc: candidate, suite: doc.suite, savedAt: now.toISOString() };
    try {
      storage.setItem(resultsKey(lab), JSON.stringify(record));
      return true;
    } catch {
      // quota: try the smaller copy
    }
  }
  return false;
}

export function loadResults(storage: StorageLike, lab: string): StoredResults | null {
  let raw: string | null = null;
  try {
    raw = storage.getItem(resultsKey(lab));
  } catch {
    return null;
  }
  if (raw === null) return null;
  try {
    const record = JSON.parse(raw) as StoredResults;
    if (record?.version === 1 && typeof record.savedAt === 'string') {
      const doc = acceptResults(record.doc, lab, record.suite);
      // acceptResults turns a malformed document into an error document; a stored one is just dropped.
      if (doc === record.doc && doc.lab === lab) return record;
    }
  } catch {
    // not JSON
  }
  storage.removeItem(resultsKey(lab));
  return null;
}
