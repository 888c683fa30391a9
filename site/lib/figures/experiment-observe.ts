/**
 * What an Experiment's run actually shows, read from its trace: the facts a verdict may state.
 * A verdict never states more than this, so a learner who runs with other settings than the
 * question assumes is told what *their* run did, not what the chapter's answer says.
 */
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';
import type { SegmentEvent, StateEvent, SyscallEvent } from '../../../stack/core/observe/trace.ts';
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

type Observer = (run: ScenarioRun) => RunFacts;

const seconds = (ms: number): number => Number((ms / 1000).toFixed(3));
const segments = (run: ScenarioRun): SegmentEvent[] => run.trace.filter((e): e is SegmentEvent => e.kind === 'segment');
const syscalls = (run: ScenarioRun, host: string, call: string): SyscallEvent[] =>
  run.trace.filter((e): e is SyscallEvent => e.kind === 'syscall' && e.host === host && e.call.startsWith(`${call}(`));
const errno = (result: string): string | null => /^-1 (E[A-Z]+)/.exec(result)?.[1] ?? null;
const list = (times: number[]): string => times.map((t) => String(seconds(t))).join(', ');

/** connect(): how many SYNs left the client and when connect() returned or failed. */
function observeConnect(run: ScenarioRun): RunFacts {
  const [client] = run.info.lanes;
  const syns = segments(run).filter((s) => s.from === client && s.flags === 'S');
  const connect = syscalls(run, client, 'connect')[0];
  const synText = `The client sent ${syns.length} SYN${syns.length === 1 ? '' : 's'} (at ${list(syns.map((s) => s.t))} s)`;
  if (!connect) return { text: `${synText}; connect() had not returned when the run ended.`, key: [syns.length] };
  const err = errno(connect.result);
  const outcome = err ? `connect() failed with ${err} at ${formatTime(connect.t)}` : `connect() returned at ${formatTime(connect.t)}`;
  return { text: `${synText}, and ${outcome}.`, key: [syns.length, Math.round(connect.t / 1000)] };
}

/** Handshake: lost segments, when connect() returned, and the two ISNs. */
function observeHandshake(run: ScenarioRun): RunFacts {
  const [client, server] = run.info.lanes;
  const all = segments(run);
  const lost = all.filter((s) => s.arriveAt === null);
  const connect = syscalls(run, client, 'connect')[0];
  const isn = (host: string): number | undefined => all.find((s) => s.from === host && s.flags.startsWith('S'))?.seq;
  const lostText =
    lost.length === 0
      ? 'No segment was lost'
      : `Lost: ${lost.map((s) => `${s.from}'s ${s.flags} at ${formatTime(s.t)}`).join(', ')}`;
  // One round trip: twice the one-way delay of the first segment that arrived (the link is symmetric).
  const delivered = all.find((s) => s.arriveAt !== null);
  const rtt = delivered ? 2 * (delivered.arriveAt! - delivered.t) : 0;
  const late = connect && !errno(connect.result) ? connect.t - rtt : null;
  const connectText = !connect
    ? 'connect() had not returned when the run ended'
    : errno(connect.result)
      ? `connect() failed with ${errno(connect.result)} at ${formatTime(connect.t)}`
      : `connect() returned at ${formatTime(connect.t)}${late && late > 0 ? `, ${formatTime(late)} later than one round trip` : ', after one round trip'}`;
  return {
    text: `${lostText}; ${connectText}. ISNs with seed ${run.seed}: client ${isn(client) ?? '?'}, server ${isn(server) ?? '?'}.`,
    key: late !== null ? [Math.round(late / 1000)] : [],
  };
}

const stateChange = (run: ScenarioRun, host: string, from: string, to?: string): StateEvent | undefined =>
  run.trace.find((e): e is StateEvent => e.kind === 'state' && e.host === host && e.from === from && (to === undefined || e.to === to));

/** Teardown: what became of each FIN the client sent, how long each side waited, TIME_WAIT. */
function observeTeardown(run: ScenarioRun): RunFacts {
  const [client, server] = run.info.lanes;
  const fins = segments(run).filter((s) => s.from === client && s.flags.includes('F'));
  if (fins.length === 0) return { text: 'The client sent no FIN.', key: [] };
  const fate = (s: SegmentEvent): string => (s.arriveAt === null ? `was lost (${s.fate})` : 'arrived');
  const [first, ...again] = fins;
  const parts = [`The client's FIN left at ${formatTime(first!.t)} and ${fate(first!)}`];
  for (const s of again) parts.push(`it was sent again at ${formatTime(s.t)} and ${fate(s)}`);
  if (again.length === 0) parts.push('nothing was retransmitted');
  const fw1 = stateChange(run, client, 'FIN_WAIT_1');
  const est = stateChange(run, server, 'ESTABLISHED');
  if (fw1) parts.push(`the client stayed in FIN_WAIT_1 until ${formatTime(fw1.t)} (then ${fw1.to})`);
  if (est) parts.push(`the server stayed ESTABLISHED until ${formatTime(est.t)} (then ${est.to})`);
  const key: number[] = [];
  const tw = stateChange(run, client, 'TIME_WAIT');
  const twIn = run.trace.find((e): e is StateEvent => e.kind === 'state' && e.host === client && e.to === 'TIME_WAIT');
  if (twIn && tw) {
    parts.push(`the client stayed in TIME_WAIT for ${formatTime(tw.t - twIn.t)}`);
    key.push(Math.round((tw.t - twIn.t) / 1000));
  } else if (twIn) parts.push('the client was still in TIME_WAIT when the run ended');
  // The server's FIN is told only when it was lost or resent: then the client's path and its wait
  // in FIN_WAIT_2 are what the run is about.
  const serverFins = segments(run).filter((s) => s.from === server && s.flags.includes('F'));
  if (serverFins.length > 1 || serverFins.some((s) => s.arriveAt === null)) {
    const [firstFin, ...resent] = serverFins;
    parts.push(`the server's FIN left at ${formatTime(firstFin!.t)} and ${fate(firstFin!)}`);
    for (const s of resent) parts.push(`it was sent again at ${formatTime(s.t)} and ${fate(s)}`);
    const path = run.trace
      .filter((e): e is StateEvent => e.kind === 'state' && e.host === client && e.t >= first!.t)
      .map((e) => e.to);
    parts.push(`the client went ${path.join(' → ')}`);
    const fw2 = stateChange(run, client, 'FIN_WAIT_2');
    if (fw2) parts.push(`it stayed in FIN_WAIT_2 until ${formatTime(fw2.t)} (then ${fw2.to})`);
  }
  return { text: `${parts.join('; ')}.`, key };
}

/** FIN_WAIT_2 timeout: how long the orphan waited after its FIN was acknowledged and where it went. */
function observeFinWait2(run: ScenarioRun): RunFacts {
  const [client] = run.info.lanes;
  const fw2In = run.trace.find((e): e is StateEvent => e.kind === 'state' && e.host === client && e.to === 'FIN_WAIT_2');
  const fw2Out = stateChange(run, client, 'FIN_WAIT_2');
  const rst = segments(run).some((s) => s.from === client && s.flags.startsWith('R'));
  if (!fw2In) return { text: 'The client never reached FIN_WAIT_2.', key: [] };
  if (!fw2Out) return { text: `The client entered FIN_WAIT_2 at ${formatTime(fw2In.t)} and was still there when the run ended.`, key: [] };
  const waited = fw2Out.t - fw2In.t;
  return {
    text: `The client's FIN was acknowledged at ${formatTime(fw2In.t)}; ${formatTime(waited)} later it left FIN_WAIT_2 for ${fw2Out.to} (${fw2Out.cause})${
      fw2Out.to === 'TIME_WAIT' ? '' : ', without entering TIME_WAIT'
    }; it sent ${rst ? 'a RST' : 'no RST'}.`,
    key: [Math.round(waited / 1000)],
  };
}

/** Keepalive: probes sent and when the silent peer was given up on, counted from the last segment received. */
function observeKeepalive(run: ScenarioRun): RunFacts {
  const [client, server] = run.info.lanes;
  const all = segments(run);
  const lastHeard = Math.max(0, ...all.filter((s) => s.to === server && s.arriveAt !== null).map((s) => s.arriveAt!));
  const probes = all.filter((s) => s.from === server && s.to === client && s.len === 0 && s.flags === '.' && s.t > lastHeard);
  const reset = all.find((s) => s.from === server && s.flags.startsWith('R') && s.t > lastHeard);
  const probeText = `The server sent ${probes.length} keepalive probe${probes.length === 1 ? '' : 's'}${
    probes.length ? ` (${list(probes.map((p) => p.t - lastHeard))} s after the last segment it received)` : ''
  }`;
  if (!reset) return { text: `${probeText} and had not given up when the run ended.`, key: [probes.length] };
  const after = reset.t - lastHeard;
  // The idle time before the first probe and the interval between probes are headline numbers too:
  // a question may give the detection time as idle + count × interval.
  const idle = probes.length ? [Math.round((probes[0]!.t - lastHeard) / 1000)] : [];
  const interval = probes.length > 1 ? [Math.round((probes[1]!.t - probes[0]!.t) / 1000)] : [];
  return {
    text: `${probeText} and gave up at ${formatTime(after)}, resetting the connection.`,
    key: [probes.length, ...idle, ...interval, Math.round(after / 1000)],
  };
}

/** Listen queues: the cap on the accept queue and what the clients whose ACK overflowed it saw. */
function observeQueues(run: ScenarioRun): RunFacts {
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
  const outcome =
    resets.length === 0
      ? 'The server sent no RST'
      : `The server answered with ${resets.length} RST${resets.length === 1 ? '' : 's'}`;
  const clients =
    failed.length === 0 && refused.length === 0
      ? 'every client’s connect() and write() succeeded'
      : [
          ...refused.map((e) => `${e.host}'s connect() failed with ${errno(e.result)}`),
          ...failed.map((e) => `${e.host}'s connect() returned 0, then ${e.call.split('(')[0]}() failed with ${errno(e.result)}`),
        ].join(', ');
  return {
    text: `${listen ? `${listen.call} gave a backlog of ${backlog}` : `The backlog was ${backlog}`}; the accept queue held at most ${held} connections. ${outcome}; ${clients}.`,
    key: [held, backlog],
  };
}

/** SYN flood: how the legitimate client's first SYN was treated, and SYN-ACKs resent to forged sources. */
function observeFlood(run: ScenarioRun): RunFacts {
  const [client, server] = run.info.lanes;
  const all = segments(run);
  const firstSyn = all.find((s) => s.from === client && s.flags === 'S');
  if (!firstSyn) return { text: 'The client sent no SYN.', key: [] };
  // The first connection only: later connections of the same client come from other ports.
  const syns = all.filter((s) => s.from === client && s.flags === 'S' && s.src === firstSyn.src);
  const answer = all.find(
    (s) => s.from === server && s.dst === firstSyn.src && s.t >= (firstSyn.arriveAt ?? Infinity) && s.t < (syns[1]?.t ?? Infinity),
  );
  const connect = syscalls(run, client, 'connect')[0];
  const answerText = answer
    ? `the server answered it with ${answer.flags === 'S.' ? 'a SYN-ACK' : answer.flags} at ${formatTime(answer.t)}`
    : `the server sent nothing back; the client sent that SYN ${syns.length} times (at ${list(syns.map((s) => s.t))} s)`;
  const connectText = connect ? (errno(connect.result) ? `connect() failed with ${errno(connect.result)}` : `connect() returned at ${formatTime(connect.t)}`) : 'connect() had not returned';
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
    text: `The client's first SYN left at ${formatTime(firstSyn.t)}; ${answerText}; ${connectText}. The server retransmitted ${resent === 0 ? 'no' : resent} SYN-ACK${resent === 1 ? '' : 's'} to forged sources.`,
    key,
  };
}

/** Fallback for scenarios without an observer: losses and failed system calls, nothing inferred. */
function observeGeneric(run: ScenarioRun): RunFacts {
  const lost = segments(run).filter((s) => s.arriveAt === null && s.to !== null);
  const failed = run.trace.filter((e): e is SyscallEvent => e.kind === 'syscall' && errno(e.result) !== null);
  return {
    text: `${lost.length} segment${lost.length === 1 ? ' was' : 's were'} lost; ${
      failed.length ? failed.map((e) => `${e.host}: ${e.call.split('(')[0]}() failed with ${errno(e.result)} at ${formatTime(e.t)}`).join(', ') : 'no system call failed'
    }.`,
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

export function observeRun(run: ScenarioRun): RunFacts {
  return (OBSERVERS[run.info.name] ?? observeGeneric)(run);
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
