/**
 * The last results of each lab, kept so a reload shows what the learner last saw instead of an
 * empty panel. They can always be made again by pressing Run, so unlike the learner's files they
 * are not exported, and a copy that cannot be read is simply dropped.
 *
 * The reference run drawn beside the first failure is kept with them once drawn: under a grading
 * course server only the server can make it (the page holds no lab's reference code), and the
 * server draws it only for the tests of a client's last graded result, in its memory — gone after
 * a restart, and unreachable before a workshop page has its join token. It is what the page was
 * shown already, so keeping it opens nothing new.
 */
import { acceptResults, firstFailure, type ResultsDocument, type Suite } from './results.ts';
import type { TraceEvent } from '../../../stack/core/observe/trace.ts';

export const RESULTS_PREFIX = 'tcp-course:results:';

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The reference run of one test of the stored results, as drawn. */
export interface StoredReference {
  test: string;
  seed: number;
  trace: TraceEvent[];
}

export interface StoredResults {
  version: 1;
  doc: ResultsDocument;
  suite: Suite;
  savedAt: string;
  reference?: StoredReference;
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

/**
 * Returns false when the browser refused even the trimmed copy (the page still shows the results).
 * The reference run goes with the first copies tried and is the first thing dropped for room.
 */
export function storeResults(storage: StorageLike, lab: string, doc: ResultsDocument, now: Date = new Date(), reference?: StoredReference): boolean {
  const trimmed = withFirstTraceOnly(doc);
  const candidates: Array<[ResultsDocument, StoredReference | undefined]> = reference
    ? [[doc, reference], [trimmed, reference], [trimmed, undefined]]
    : [[doc, undefined], [trimmed, undefined]];
  for (const [candidate, withReference] of candidates) {
    const record: StoredResults = { version: 1, doc: candidate, suite: doc.suite, savedAt: now.toISOString(), ...(withReference ? { reference: withReference } : {}) };
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
      if (doc === record.doc && doc.lab === lab) {
        // A damaged reference run costs only its drawing: the results stay.
        if (record.reference !== undefined && !isStoredReference(record.reference)) delete record.reference;
        return record;
      }
    }
  } catch {
    // not JSON
  }
  storage.removeItem(resultsKey(lab));
  return null;
}

function isStoredReference(value: unknown): value is StoredReference {
  const r = value as Partial<StoredReference> | null;
  return typeof r === 'object' && r !== null && typeof r.test === 'string' && Number.isInteger(r.seed) && Array.isArray(r.trace) && r.trace.every((e) => typeof e === 'object' && e !== null && typeof (e as { kind?: unknown }).kind === 'string');
}
