/**
 * What an Experiment's run actually shows, read from its trace: the facts a verdict may state.
 * A verdict never states more than this, so a learner who runs with other settings than the
 * question assumes is told what *their* run did, not what the chapter's answer says.
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { SegmentEvent, StateEvent, SyscallEvent } from '../../../stack/core/observe/trace.ts';
import type { Locale } from '../../i18n/locale.ts';
import { figureStrings, type FigureStrings } from '../../i18n/figures.ts';
import { formatTime } from './format.ts';

export interface RunFacts {
  /** One or two sentences in the question's terms. */
  text: string;
  /**
   * The headline numbers of the run (a count, a time in whole seconds). A choice that quotes
   * numbers describes the run only when every number it quotes is one of these.
   */
  key: number[];
}

/** `w` is the page's dictionary; `time` formats virtual time in its language. */
type Observer = (run: ScenarioRun, w: Words) => RunFacts;

interface Words {
  o: FigureStrings['observe'];
  host: (name: string) => string;
  cause: (cause: string) => string;
  time: (ms: number) => string;
  /** Seconds as a list: "0, 1, 3" ("0、1、3" in Chinese). */
  list: (times: number[]) => string;
}

const seconds = (ms: number): number => Number((ms / 1000).toFixed(3));
const segments = (run: ScenarioRun): SegmentEvent[] => run.trace.filter((e): e is SegmentEvent => e.kind === 'segment');
const syscalls = (run: ScenarioRun, host: string, call: string): SyscallEvent[] =>
  run.trace.filter((e): e is SyscallEvent => e.kind === 'syscall' && e.host === host && e.call.startsWith(`${call}(`));
const errno = (result: string): string | null => /^-1 (E[A-Z]+)/.exec(result)?.[1] ?? null;

/** connect(): how many SYNs left the client and when connect() returned or failed. */
function observeConnect(run: ScenarioRun, { o, time, list }: Words): RunFacts {
  const [client] = run.info.lanes;
  const syns = segments(run).filter((s) => s.from === client && s.flags === 'S');
  const connect = syscalls(run, client, 'connect')[0];
  const synText = o.synsSent(syns.length, list(syns.map((s) => s.t)));
  if (!connect) return { text: o.connectPending(synText), key: [syns.length] };
  const err = errno(connect.result);
  const outcome = err ? o.connectFailedAt(err, time(connect.t)) : o.connectReturnedAt(time(connect.t));
  return { text: o.connectOutcome(synText, outcome), key: [syns.length, Math.round(connect.t / 1000)] };
}

/** Handshake: lost segments, when connect() returned, and the two ISNs. */
function observeHandshake(run: ScenarioRun, { o, time, host }: Words): RunFacts {
  const [client, server] = run.info.lanes;
  const all = segments(run);
  const lost = all.filter((s) => s.arriveAt === null);
  const connect = syscalls(run, client, 'connect')[0];
  const isn = (host: string): number | undefined => all.find((s) => s.from === host && s.flags.startsWith('S'))?.seq;
  const lostText = lost.length === 0 ? o.noneLost : o.lostList(lost.map((s) => ({ host: host(s.from), flags: s.flags, t: time(s.t) })));
  // One round trip: twice the one-way delay of the first segment that arrived (the link is symmetric).
  const delivered = all.find((s) => s.arriveAt !== null);
  const rtt = delivered ? 2 * (delivered.arriveAt! - delivered.t) : 0;
  const late = connect && !errno(connect.result) ? connect.t - rtt : null;
  const connectText = !connect
    ? o.connectNotReturned
    : errno(connect.result)
      ? o.connectFailedAt(errno(connect.result)!, time(connect.t))
      : o.connectAfterRtt(time(connect.t), late && late > 0 ? time(late) : null);
  return {
    text: o.handshake(lostText, connectText, run.seed, String(isn(client) ?? '?'), String(isn(server) ?? '?')),
    key: late !== null ? [Math.round(late / 1000)] : [],
  };
}

const stateChange = (run: ScenarioRun, host: string, from: string, to?: string): StateEvent | undefined =>
  run.trace.find((e): e is StateEvent => e.kind === 'state' && e.host === host && e.from === from && (to === undefined || e.to === to));

/** Teardown: what became of each FIN the client sent, how long each side waited, TIME_WAIT. */
function observeTeardown(run: ScenarioRun, { o, time }: Words): RunFacts {
  const [client, server] = run.info.lanes;
  const fins = segments(run).filter((s) => s.from === client && s.flags.includes('F'));
  if (fins.length === 0) return { text: o.noFin, key: [] };
  const fate = (s: SegmentEvent): string => (s.arriveAt === null ? o.finLost(s.fate) : o.finArrived);
  const [first, ...again] = fins;
  const parts = [o.clientFinLeft(time(first!.t), fate(first!))];
  for (const s of again) parts.push(o.sentAgain(time(s.t), fate(s)));
  if (again.length === 0) parts.push(o.noRetransmission);
  const fw1 = stateChange(run, client, 'FIN_WAIT_1');
  const est = stateChange(run, server, 'ESTABLISHED');
  if (fw1) parts.push(o.clientStayedUntil('FIN_WAIT_1', time(fw1.t), fw1.to));
  if (est) parts.push(o.serverStayedEstablished(time(est.t), est.to));
  const key: number[] = [];
  const tw = stateChange(run, client, 'TIME_WAIT');
  const twIn = run.trace.find((e): e is StateEvent => e.kind === 'state' && e.host === client && e.to === 'TIME_WAIT');
  if (twIn && tw) {
    parts.push(o.timeWaitFor(time(tw.t - twIn.t)));
    key.push(Math.round((tw.t - twIn.t) / 1000));
  } else if (twIn) parts.push(o.timeWaitOpen);
  // The server's FIN is told only when it was lost or resent: then the client's path and its wait
  // in FIN_WAIT_2 are what the run is about.
  const serverFins = segments(run).filter((s) => s.from === server && s.flags.includes('F'));
  if (serverFins.length > 1 || serverFins.some((s) => s.arriveAt === null)) {
    const [firstFin, ...resent] = serverFins;
    parts.push(o.serverFinLeft(time(firstFin!.t), fate(firstFin!)));
    for (const s of resent) parts.push(o.sentAgain(time(s.t), fate(s)));
    const path = run.trace
      .filter((e): e is StateEvent => e.kind === 'state' && e.host === client && e.t >= first!.t)
      .map((e) => e.to);
    parts.push(o.clientPath(path));
    const fw2 = stateChange(run, client, 'FIN_WAIT_2');
    if (fw2) parts.push(o.stayedFinWait2(time(fw2.t), fw2.to));
  }
  return { text: o.teardown(parts), key };
}

/** FIN_WAIT_2 timeout: how long the orphan waited after its FIN was acknowledged and where it went. */
function observeFinWait2(run: ScenarioRun, { o, time, cause }: Words): RunFacts {
  const [client] = run.info.lanes;
  const fw2In = run.trace.find((e): e is StateEvent => e.kind === 'state' && e.host === client && e.to === 'FIN_WAIT_2');
  const fw2Out = stateChange(run, client, 'FIN_WAIT_2');
  const rst = segments(run).some((s) => s.from === client && s.flags.startsWith('R'));
  if (!fw2In) return { text: o.neverFinWait2, key: [] };
  if (!fw2Out) return { text: o.stillFinWait2(time(fw2In.t)), key: [] };
  const waited = fw2Out.t - fw2In.t;
  return {
    text: o.finWait2Left(time(fw2In.t), time(waited), fw2Out.to, cause(fw2Out.cause), rst),
    key: [Math.round(waited / 1000)],
  };
}

/** Keepalive: probes sent and when the silent peer was given up on, counted from the last segment received. */
function observeKeepalive(run: ScenarioRun, { o, time, list }: Words): RunFacts {
  const [client, server] = run.info.lanes;
  const all = segments(run);
  const lastHeard = Math.max(0, ...all.filter((s) => s.to === server && s.arriveAt !== null).map((s) => s.arriveAt!));
  const probes = all.filter((s) => s.from === server && s.to === client && s.len === 0 && s.flags === '.' && s.t > lastHeard);
  const reset = all.find((s) => s.from === server && s.flags.startsWith('R') && s.t > lastHeard);
  const probeText = o.probesSent(probes.length, probes.length ? list(probes.map((p) => p.t - lastHeard)) : null);
  if (!reset) return { text: o.probesPending(probeText), key: [probes.length] };
  const after = reset.t - lastHeard;
  // The idle time before the first probe and the interval between probes are headline numbers too:
  // a question may give the detection time as idle + count × interval.
  const idle = probes.length ? [Math.round((probes[0]!.t - lastHeard) / 1000)] : [];
  const interval = probes.length > 1 ? [Math.round((probes[1]!.t - probes[0]!.t) / 1000)] : [];
  return {
    text: o.probesGaveUp(probeText, time(after)),
    key: [probes.length, ...idle, ...interval, Math.round(after / 1000)],
  };
}

/** Listen queues: the cap on the accept queue and what the clients whose ACK overflowed it saw. */
function observeQueues(run: ScenarioRun, { o, host }: Words): RunFacts {
  const queue = run.trace.filter((e) => e.kind === 'queue');
  const listen = run.trace.find((e): e is SyscallEvent => e.kind === 'syscall' && e.call.startsWith('listen('));
  const backlog = queue.length ? queue[queue.length - 1]!.backlog : 0;
  const held = Math.max(0, ...queue.map((q) => q.acceptQueue));
  const [, server] = run.info.lanes;
  const resets = segments(run).filter((s) => s.from === server && s.flags.startsWith('R'));
  const failed = run.trace.filter(
    (e): e is SyscallEvent => e.kind === 'syscall' && e.host !== server && /^(read|write)\(/.test(e.call) && errno(e.result) !== null,
  );
  const refused = run.trace.filter(
    (e): e is SyscallEvent => e.kind === 'syscall' && e.call.startsWith('connect(') && errno(e.result) !== null,
  );
  const outcome = resets.length === 0 ? o.noServerRst : o.serverRsts(resets.length);
  const clients =
    failed.length === 0 && refused.length === 0
      ? o.clientsFine
      : [
          ...refused.map((e) => o.clientRefused(host(e.host), errno(e.result)!)),
          ...failed.map((e) => o.clientFailedLater(host(e.host), e.call.split('(')[0]!, errno(e.result)!)),
        ].join(o.clientsJoin);
  return {
    text: o.queues(listen ? listen.call : null, backlog, held, outcome, clients),
    key: [held, backlog],
  };
}

/** SYN flood: how the legitimate client's first SYN was treated, and SYN-ACKs resent to forged sources. */
function observeFlood(run: ScenarioRun, { o, time, list }: Words): RunFacts {
  const [client, server] = run.info.lanes;
  const all = segments(run);
  const firstSyn = all.find((s) => s.from === client && s.flags === 'S');
  if (!firstSyn) return { text: o.noSyn, key: [] };
  // The first connection only: later connections of the same client come from other ports.
  const syns = all.filter((s) => s.from === client && s.flags === 'S' && s.src === firstSyn.src);
  const answer = all.find(
    (s) => s.from === server && s.dst === firstSyn.src && s.t >= (firstSyn.arriveAt ?? Infinity) && s.t < (syns[1]?.t ?? Infinity),
  );
  const connect = syscalls(run, client, 'connect')[0];
  const answerText = answer ? o.floodAnswered(answer.flags, time(answer.t)) : o.floodUnanswered(syns.length, list(syns.map((s) => s.t)));
  const connectText = connect
    ? errno(connect.result)
      ? o.connectFailed(errno(connect.result)!)
      : o.connectReturnedAt(time(connect.t))
    : o.connectPendingShort;
  // A SYN-ACK to a forged source sent a second time for the same SYN (same destination and ISN).
  const seen = new Set<string>();
  let resent = 0;
  for (const s of all) {
    if (s.from !== server || s.to !== null || s.flags !== 'S.') continue;
    const id = `${s.dst} ${s.seq}`;
    if (seen.has(id)) resent++;
    else seen.add(id);
  }
  const key = [resent];
  if (syns.length > 1) key.push(Math.round((syns[1]!.t - syns[0]!.t) / 1000));
  return {
    text: o.flood(time(firstSyn.t), answerText, connectText, resent),
    key,
  };
}

/** Fallback for scenarios without an observer: losses and failed system calls, nothing inferred. */
function observeGeneric(run: ScenarioRun, { o, time, host }: Words): RunFacts {
  const lost = segments(run).filter((s) => s.arriveAt === null && s.to !== null);
  const failed = run.trace.filter((e): e is SyscallEvent => e.kind === 'syscall' && errno(e.result) !== null);
  return {
    text: o.generic(
      lost.length,
      failed.map((e) => ({ host: host(e.host), call: e.call.split('(')[0]!, err: errno(e.result)!, t: time(e.t) })),
    ),
    key: [],
  };
}

const OBSERVERS: Record<string, Observer> = {
  'connect-timeout': observeConnect,
  handshake: observeHandshake,
  teardown: observeTeardown,
  'keepalive-dead-peer': observeKeepalive,
  'accept-queue-overflow': observeQueues,
  'syn-flood': observeFlood,
  'fin-wait-2-timeout': observeFinWait2,
};

/** The facts of a run, worded in the page's language (the key numbers do not depend on it). */
export function observeRun(run: ScenarioRun, locale: Locale = 'en'): RunFacts {
  const w = figureStrings(locale);
  const words: Words = {
    o: w.observe,
    host: w.host,
    cause: w.cause,
    time: (ms) => formatTime(ms, locale),
    list: (times) => times.map((t) => String(seconds(t))).join(w.listSep),
  };
  return (OBSERVERS[run.info.name] ?? observeGeneric)(run, words);
}

/** The numbers a choice quotes ("7 SYNs, failing at 127 s" → [7, 127]). */
export function quotedNumbers(text: string): number[] {
  // Digits inside a name (FIN_WAIT_1, RFC9293) are not quantities.
  return [...text.matchAll(/(?<![\w.])\d+(?:\.\d+)?(?!\w)/g)].map((m) => Number(m[0]));
}

/** True when the choice quotes numbers and every one of them is a headline number of the run. */
export function choiceFitsRun(choice: string, facts: RunFacts): boolean {
  const quoted = quotedNumbers(choice);
  return quoted.length > 0 && quoted.every((n) => facts.key.includes(n));
}
