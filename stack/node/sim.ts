/**
 * `npm run sim -- <scenario> [--seed N] [--sysctl name=value]... [--fault RULE]... [--pcap FILE]`
 * prints a scenario as a text sequence diagram (both sides' states, flags, relative seq/ack,
 * lengths, virtual times) and can write the packets to a classic pcap file.
 * `npm run sim -- --list` lists the scenarios.
 */
import { writeFileSync } from 'node:fs';
import { listScenarios, runScenario, UnknownScenarioError } from '../core/scenarios/index.ts';
import { UnknownSysctlError } from '../core/tcp/sysctl.ts';
import { encodePcap, type PcapRecord } from '../core/wire/pcap.ts';
import { formatSs } from '../core/observe/ss.ts';
import { captureWorld } from './capture.ts';
import { renderTextDiagram } from '../core/observe/text-diagram.ts';

const USAGE = `usage: npm run sim -- <scenario> [--seed N] [--sysctl name=value]... [--fault RULE]... [--pcap FILE]
       npm run sim -- --list`;

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const out = { list: false, scenario: '', seed: 1, sysctls: {} as Record<string, number>, faults: [] as string[], pcap: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--list') out.list = true;
    else if (a === '--seed') {
      const v = value();
      if (!/^\d+$/.test(v)) fail(`--seed takes a non-negative integer, got "${v}"`);
      out.seed = Number(v);
    } else if (a === '--sysctl') {
      const v = value();
      const m = /^([\w.]+)=(-?\d+)$/.exec(v);
      if (!m) fail(`--sysctl takes name=value with an integer value, got "${v}"`);
      out.sysctls[m[1]] = Number(m[2]);
    } else if (a === '--fault') out.faults.push(value());
    else if (a === '--pcap') out.pcap = value();
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith('-')) fail(`unknown option ${a}`);
    else if (!out.scenario) out.scenario = a;
    else fail(`unexpected argument "${a}"`);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
if (args.list) {
  const all = listScenarios();
  const w = Math.max(...all.map((s) => s.name.length));
  for (const s of all) process.stdout.write(`${s.name.padEnd(w)}  [${s.chapter}] ${s.title}\n`);
  process.exit(0);
}
if (!args.scenario) fail('which scenario? (--list shows them)');

const packets: PcapRecord[] = [];
let run;
try {
  run = runScenario(args.scenario, {
    seed: args.seed,
    sysctls: args.sysctls,
    faults: args.faults,
    onWorld: args.pcap ? (world) => captureWorld(world, packets) : undefined,
  });
} catch (err) {
  if (err instanceof UnknownScenarioError || err instanceof UnknownSysctlError || err instanceof RangeError) fail(err.message);
  if (err instanceof Error && /fault rule/i.test(err.message)) fail(err.message);
  throw err;
}

process.stdout.write(renderTextDiagram(run));
const hostsWithCounters = Object.entries(run.nstat).filter(([, c]) => Object.keys(c).length);
for (const [host, rows] of Object.entries(run.ss)) {
  if (!rows.length) continue;
  process.stdout.write(`\n$ ss -tan   # ${host}, at ${(run.endTime / 1000).toFixed(3)} s\n${formatSs(rows)}\n`);
}
for (const [host, counters] of hostsWithCounters) {
  const interesting = Object.entries(counters).filter(([k]) => !/^(Ip|TcpInSegs|TcpOutSegs)/.test(k));
  if (!interesting.length) continue;
  process.stdout.write(`\n$ nstat   # ${host}\n${interesting.map(([k, v]) => `${k.startsWith('Tcp') ? k : `TcpExt${k}`}`.padEnd(28) + String(v)).join('\n')}\n`);
}
const metrics = Object.entries(run.metrics);
if (metrics.length) {
  process.stdout.write(`\nfigures:\n${metrics.map(([k, v]) => `  ${k} = ${Array.isArray(v) ? `[${v.join(', ')}]` : v}`).join('\n')}\n`);
}
if (args.pcap) {
  writeFileSync(args.pcap, encodePcap(packets));
  process.stdout.write(`\nwrote ${packets.length} packets to ${args.pcap} (LINKTYPE_IPV4, virtual time from 0)\n`);
}
