/**
 * The simulated network: hosts own IPv4 addresses, packets are routed by the destination address
 * in their bytes and arrive after the link's delay on the virtual clock. Links add jitter, loss,
 * duplication and reordering from the seeded Random; fault rules, partitions and crashed hosts
 * make the failures the chapters talk about happen exactly when an experiment wants them.
 *
 * Cost matters more here than anywhere else: a SYN flood pushes a million packets through `send`,
 * most of them SYN-ACKs to spoofed sources that nobody owns. So the common path (no tracing, no
 * rules, a plain link) reads four bytes, does two map look-ups and appends one closure to the
 * link's lane of arrivals; every decode, string and random draw lives on the other path.
 */
import type { SegmentEvent, SegmentFate, Trace } from '../observe/trace.ts';
import { RelativeSequence } from '../observe/relseq.ts';
import { decodeSegment } from '../wire/codec.ts';
import { flagsString, formatAddr, formatEndpoint } from '../wire/format.ts';
import type { TcpSegment } from '../wire/segment.ts';
import { FaultRule, type FaultRuleSpec } from './faults.ts';
import type { Random } from './random.ts';
import type { EventLane, Scheduler } from './scheduler.ts';

export { describeFaultRule, parseFaultRule, FAULT_RULE_GRAMMAR, type FaultAction, type FaultRuleSpec } from './faults.ts';

export interface NetworkNode {
  /** "client", "server", "attacker". */
  readonly name: string;
  /** IPv4 addresses it owns (u32). */
  readonly addrs: readonly number[];
  /** false while crashed: packets reaching it are lost with fate 'host-down'. */
  isUp(): boolean;
  /** Called at arrival time with bytes the node may keep. */
  receive(packet: Uint8Array): void;
}

export interface LinkParams {
  /** One-way delay, ms (default 5). */
  delay: number;
  /** Extra uniform [0, jitter) ms per packet (default 0). Packets may overtake each other, as with netem. */
  jitter: number;
  /** Probability 0..1 that a packet is lost (default 0). */
  loss: number;
  /** Probability of delivering a second copy (default 0). */
  duplicate: number;
  /** Probability a packet is held back by reorderDelay (default 0). */
  reorder: number;
  /** ms (default 2 × delay). */
  reorderDelay: number;
}

export interface NetworkStats {
  /** Calls to send(). */
  sent: number;
  /** Packets (copies included) handed to a live receiver. */
  delivered: number;
  /** Swallowed by the link: random loss, a partition or a drop rule. */
  lost: number;
  /** Of `lost`, dropped by a fault rule. */
  droppedByRule: number;
  /** Nobody owns the destination address (spoofed sources, garbage). */
  noRoute: number;
  /** The destination had crashed when the packet arrived. */
  hostDown: number;
  /** Extra copies made by link duplication or a dup rule. */
  duplicated: number;
  /** Packets delivered with a flipped byte. */
  corrupted: number;
}

const DEFAULT_LINK: LinkParams = { delay: 5, jitter: 0, loss: 0, duplicate: 0, reorder: 0, reorderDelay: 10 };

/** One direction between two hosts, resolved from defaults, setLink and partitions. */
interface Link {
  readonly delay: number;
  readonly jitter: number;
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
  readonly reorderDelay: number;
  readonly partitioned: boolean;
  /** Nothing random and no partition: arrival is exactly now + delay. */
  readonly plain: boolean;
}

interface Attached {
  readonly node: NetworkNode;
  readonly index: number;
  /** Outgoing links, by destination index. */
  out: Link[];
  /**
   * Arrivals at each destination, by its index. Over a link without jitter or reordering packets
   * arrive in the order they were sent, which is what an EventLane wants; the rest still go into
   * the scheduler's heap by themselves.
   */
  readonly arrivals: EventLane[];
  /** Hands a packet to each destination, by its index: one function per link, not per packet. */
  readonly deliver: Array<(packet: Uint8Array) => void>;
}

export class Network {
  readonly stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    lost: 0,
    droppedByRule: 0,
    noRoute: 0,
    hostDown: 0,
    duplicated: 0,
    corrupted: 0,
  };

  private readonly scheduler: Scheduler;
  private readonly random: Random;
  private readonly trace: Trace;
  private readonly defaults: Partial<LinkParams>;
  private readonly nodes: Attached[] = [];
  private readonly byNode = new Map<NetworkNode, Attached>();
  private readonly byName = new Map<string, Attached>();
  private readonly byAddr = new Map<number, Attached>();
  /** setLink overrides per direction, keyed "from\0to". */
  private readonly linkParams = new Map<string, Partial<LinkParams>>();
  /** Partitioned pairs, keyed by the two names in sorted order. */
  private readonly partitions = new Set<string>();
  private readonly rules: FaultRule[] = [];
  private readonly relseq = new RelativeSequence();
  private nextSegmentId = 0;

  constructor(scheduler: Scheduler, random: Random, trace: Trace, defaults: Partial<LinkParams> = {}) {
    checkLinkParams(defaults, 'network defaults');
    this.scheduler = scheduler;
    this.random = random;
    this.trace = trace;
    this.defaults = { ...defaults };
  }

  /** Attaching the same node again does nothing; another node with its name or an address is an error. */
  attach(node: NetworkNode): void {
    if (this.byNode.has(node)) return;
    if (typeof node.name !== 'string' || node.name === '') throw new Error('cannot attach a node without a name');
    if (this.byName.has(node.name)) throw new Error(`cannot attach "${node.name}": a host of that name is already attached`);
    for (const addr of node.addrs) {
      if (addr >>> 0 !== addr) throw new Error(`cannot attach "${node.name}": address ${addr} is not an unsigned 32-bit IPv4 address`);
      const owner = this.byAddr.get(addr);
      if (owner) throw new Error(`cannot attach "${node.name}": ${formatAddr(addr)} already belongs to "${owner.node.name}"`);
    }
    const entry: Attached = { node, index: this.nodes.length, out: [], arrivals: [], deliver: [] };
    this.nodes.push(entry);
    for (const other of this.nodes) {
      other.arrivals[entry.index] = this.scheduler.lane();
      other.deliver[entry.index] = (packet) => this.arrive(entry, packet, null);
      if (other !== entry) {
        entry.arrivals[other.index] = this.scheduler.lane();
        entry.deliver[other.index] = (packet) => this.arrive(other, packet, null);
      }
    }
    this.byNode.set(node, entry);
    this.byName.set(node.name, entry);
    for (const addr of node.addrs) this.byAddr.set(addr, entry);
    this.resolveLinks();
  }

  /** Link parameters between two attached hosts, both directions unless oneWay (a → b only). */
  setLink(a: string, b: string, params: Partial<LinkParams>, oneWay = false): void {
    this.host(a, 'setLink');
    this.host(b, 'setLink');
    checkLinkParams(params, `setLink("${a}", "${b}")`);
    const merge = (from: string, to: string) => {
      const key = `${from}\0${to}`;
      this.linkParams.set(key, { ...this.linkParams.get(key), ...params });
    };
    merge(a, b);
    if (!oneWay) merge(b, a);
    this.resolveLinks();
  }

  /** Adds a rule; rules are checked in insertion order and each counts its own matches. */
  addFault(spec: FaultRuleSpec): FaultRule {
    if (spec.from !== undefined) this.host(spec.from, 'fault rule "from"');
    if (spec.to !== undefined) this.host(spec.to, 'fault rule "to"');
    const rule = new FaultRule(spec);
    this.rules.push(rule);
    return rule;
  }

  /** Cuts a and b apart in both directions until heal(a, b). */
  partition(a: string, b: string): void {
    this.host(a, 'partition');
    this.host(b, 'partition');
    this.partitions.add(pairKey(a, b));
    this.resolveLinks();
  }

  heal(a: string, b: string): void {
    this.host(a, 'heal');
    this.host(b, 'heal');
    this.partitions.delete(pairKey(a, b));
    this.resolveLinks();
  }

  /**
   * Puts a packet on the wire. `seg` is the decoded form the sender already has (undefined for
   * raw or garbage bytes); fault rules only ever match segments given this way, and only those with
   * a route, so a SYN-ACK to a spoofed source never counts towards a rule's #nth. The network keeps
   * `packet`: the sender must not change it afterwards.
   */
  send(from: NetworkNode, packet: Uint8Array, seg?: TcpSegment): void {
    const source = this.byNode.get(from);
    if (source === undefined) throw new Error(`send from "${from.name}": that host is not attached to the network`);
    this.stats.sent++;
    // IPv4 destination address, header bytes 16..19 (RFC 791 §3.1).
    const target =
      packet.length >= 20
        ? this.byAddr.get(((packet[16] << 24) | (packet[17] << 16) | (packet[18] << 8) | packet[19]) >>> 0)
        : undefined;
    const tracing = this.trace.enabled;
    if (target === undefined) {
      this.stats.noRoute++;
      if (tracing) this.traceSegment(source, null, packet, seg, 'no-route', null);
      return;
    }
    const link = source.out[target.index];
    if (!tracing && link.plain && this.rules.length === 0) {
      source.arrivals[target.index].atWith(this.scheduler.now + link.delay, source.deliver[target.index], packet);
      return;
    }
    this.sendWithFaults(source, target, link, packet, seg, tracing);
  }

  /** The attached hosts, in attach order. */
  hosts(): NetworkNode[] {
    return this.nodes.map((n) => n.node);
  }

  /** The fault rules, with their match counters. */
  faultRules(): readonly FaultRule[] {
    return this.rules;
  }

  private sendWithFaults(source: Attached, target: Attached, link: Link, packet: Uint8Array, seg: TcpSegment | undefined, tracing: boolean): void {
    const now = this.scheduler.now;
    let drop = false;
    let duplicate = false;
    let corrupt = false;
    let extraDelay = 0;
    let fired: FaultRule[] | null = null;
    if (seg !== undefined) {
      for (const rule of this.rules) {
        if (!rule.match(source.node.name, target.node.name, seg.flags, seg.payload.length, now)) continue;
        (fired ??= []).push(rule);
        const action = rule.spec.action;
        if (action === 'drop') drop = true;
        else if (action === 'duplicate') duplicate = true;
        else if (action === 'corrupt') corrupt = true;
        else extraDelay += action.delay;
      }
    }

    const ev = tracing ? this.traceSegment(source, target, packet, seg, 'delivered', null) : null;
    if (ev !== null && fired !== null) {
      for (const rule of fired) {
        this.trace.push({ kind: 'note', t: now, host: source.node.name, text: `fault rule: ${rule.description} (segment #${ev.id})` });
      }
    }
    if (drop) {
      this.stats.lost++;
      this.stats.droppedByRule++;
      if (ev) ev.fate = 'dropped-by-rule';
      return;
    }
    const wire = corrupt ? this.corruptCopy(packet) : packet;
    this.launch(source, target, link, wire, extraDelay, corrupt, ev);

    // The copy takes its own chances on the link, as a duplicate made upstream of a lossy hop would.
    if (duplicate || (link.duplicate > 0 && this.random.chance(link.duplicate))) {
      this.stats.duplicated++;
      let copyEv: SegmentEvent | null = null;
      if (ev !== null) {
        copyEv = { ...ev, id: this.nextSegmentId++, duplicate: true, fate: 'delivered', arriveAt: null };
        this.trace.push(copyEv);
      }
      this.launch(source, target, link, wire, extraDelay, corrupt, copyEv);
    }
  }

  private launch(source: Attached, target: Attached, link: Link, packet: Uint8Array, extraDelay: number, corrupt: boolean, ev: SegmentEvent | null): void {
    if (link.partitioned || (link.loss > 0 && this.random.chance(link.loss))) {
      this.stats.lost++;
      if (ev) ev.fate = 'lost';
      return;
    }
    let delay = link.delay + extraDelay;
    if (link.jitter > 0) delay += this.random.float() * link.jitter;
    if (link.reorder > 0 && this.random.chance(link.reorder)) delay += link.reorderDelay;
    const arriveAt = this.scheduler.now + delay;
    if (corrupt) this.stats.corrupted++;
    if (ev) {
      ev.fate = corrupt ? 'corrupt' : 'delivered';
      ev.arriveAt = arriveAt;
    }
    source.arrivals[target.index].at(arriveAt, () => this.arrive(target, packet, ev));
  }

  private arrive(target: Attached, packet: Uint8Array, ev: SegmentEvent | null): void {
    // A host that crashed while the packet was in flight never sees it; one that was down at send
    // time but is back by now does.
    if (!target.node.isUp()) {
      this.stats.hostDown++;
      if (ev) {
        ev.fate = 'host-down';
        ev.arriveAt = null;
      }
      return;
    }
    this.stats.delivered++;
    target.node.receive(packet);
  }

  /**
   * One seeded byte after the IP header changes, so the receiver's TCP checksum (RFC 9293 §3.1)
   * rejects the segment: a one-byte change moves the ones'-complement sum by at most 0xff00, never
   * by a multiple of 0xffff, so it cannot go unnoticed. The data-offset nibble is left alone so
   * that the receiver gets as far as the checksum instead of failing on header length.
   */
  private corruptCopy(packet: Uint8Array): Uint8Array {
    const copy = packet.slice();
    const ipHeaderBytes = (copy[0] & 0x0f) * 4;
    const end = Math.min(copy.length, (copy[2] << 8) | copy[3]);
    const span = end - ipHeaderBytes;
    if (span <= 0) return copy;
    const at = ipHeaderBytes + this.random.int(span);
    let flip = 1 + this.random.int(255);
    if (at === ipHeaderBytes + 12) flip = flip & 0x0f || 1;
    copy[at] ^= flip;
    return copy;
  }

  /** Builds and records the segment's event; the caller fills in the fate as it is decided. */
  private traceSegment(
    source: Attached,
    target: Attached | null,
    packet: Uint8Array,
    given: TcpSegment | undefined,
    fate: SegmentFate,
    arriveAt: number | null,
  ): SegmentEvent | null {
    const trace = this.trace;
    // Past the trace's cap the event would be thrown away; skip building it (a flood sends
    // millions) but keep the count the trace reports.
    if (trace.segmentsSeen >= trace.maxSegments) {
      trace.segmentsSeen++;
      return null;
    }
    let seg = given;
    if (seg === undefined) {
      const decoded = decodeSegment(packet, { verifyChecksums: false });
      if (decoded.ok) seg = decoded.segment;
      else {
        trace.push({ kind: 'note', t: this.scheduler.now, host: source.node.name, text: `undecodable packet: ${decoded.error.detail}` });
      }
    }
    const t = this.scheduler.now;
    let ev: SegmentEvent;
    if (seg !== undefined) {
      const rel = this.relseq.observe(seg);
      ev = {
        kind: 'segment',
        id: this.nextSegmentId++,
        t,
        arriveAt,
        fate,
        from: source.node.name,
        to: target ? target.node.name : null,
        src: formatEndpoint(seg.srcAddr, seg.srcPort),
        dst: formatEndpoint(seg.dstAddr, seg.dstPort),
        flags: flagsString(seg.flags),
        seq: seg.seq,
        ack: seg.ack,
        relSeq: rel.relSeq,
        relAck: rel.relAck,
        len: seg.payload.length,
        win: seg.window,
        options: seg.options,
      };
    } else {
      // Garbage still crossed the wire; show what the IP header says about it.
      const readable = packet.length >= 20;
      ev = {
        kind: 'segment',
        id: this.nextSegmentId++,
        t,
        arriveAt,
        fate,
        from: source.node.name,
        to: target ? target.node.name : null,
        src: readable ? formatAddr(readU32(packet, 12)) : '?',
        dst: readable ? formatAddr(readU32(packet, 16)) : '?',
        flags: '?',
        seq: 0,
        ack: 0,
        relSeq: 0,
        relAck: 0,
        len: packet.length,
        win: 0,
        options: [],
      };
    }
    trace.push(ev);
    return ev;
  }

  private host(name: string, what: string): Attached {
    const entry = this.byName.get(name);
    if (entry === undefined) {
      const known = this.nodes.map((n) => `"${n.node.name}"`).join(', ') || 'none yet';
      throw new Error(`${what}: no host named "${name}" is attached (attached: ${known}); attach hosts first`);
    }
    return entry;
  }

  /** Rebuilds every directed link; called on attach and configuration changes, never per packet. */
  private resolveLinks(): void {
    for (const from of this.nodes) {
      from.out = this.nodes.map((to) => {
        const own = this.linkParams.get(`${from.node.name}\0${to.node.name}`);
        // A host talking to itself goes over loopback: no delay and nothing to lose on the way.
        const base: Partial<LinkParams> = from === to ? { delay: 0 } : this.defaults;
        const p: LinkParams = { ...DEFAULT_LINK, ...base, ...own };
        const reorderDelay = own?.reorderDelay ?? base.reorderDelay ?? 2 * p.delay;
        const partitioned = this.partitions.has(pairKey(from.node.name, to.node.name));
        return {
          delay: p.delay,
          jitter: p.jitter,
          loss: p.loss,
          duplicate: p.duplicate,
          reorder: p.reorder,
          reorderDelay,
          partitioned,
          plain: !partitioned && p.jitter === 0 && p.loss === 0 && p.duplicate === 0 && p.reorder === 0,
        };
      });
    }
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\0${b}` : `${b}\0${a}`;
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function checkLinkParams(params: Partial<LinkParams>, where: string): void {
  const ms = (name: 'delay' | 'jitter' | 'reorderDelay') => {
    const v = params[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new RangeError(`${where}: ${name} must be a finite number of ms ≥ 0, got ${v}`);
    }
  };
  const probability = (name: 'loss' | 'duplicate' | 'reorder') => {
    const v = params[name];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) {
      throw new RangeError(`${where}: ${name} is a probability and must be between 0 and 1, got ${v}`);
    }
  };
  ms('delay');
  ms('jitter');
  ms('reorderDelay');
  probability('loss');
  probability('duplicate');
  probability('reorder');
  for (const key of Object.keys(params)) {
    if (!(key in DEFAULT_LINK)) throw new RangeError(`${where}: unknown link parameter "${key}" (delay, jitter, loss, duplicate, reorder, reorderDelay)`);
  }
}
