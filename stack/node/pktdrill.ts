/**
 * `npm run pktdrill -- [--tolerance_usecs=N] [--upstream] [--seed=N] [--verbose] <file.pkt>...` runs packetdrill
 * scripts against the simulated stack and prints a PASS/FAIL line per script; a failure shows the
 * script line, the virtual time, and the expected vs actual segment in packetdrill notation.
 * `--upstream` gives scripts written for google/packetdrill its default tolerance (4 ms, or 12.5 % of
 * the gap since the previous event) unless they set their own; our suite keeps exact timing.
 * Exit status: 0 all passed, 1 a script failed, 2 usage error or unreadable file.
 */
import { readFileSync } from 'node:fs';
import { formatFailure, runScript, type RunOptions } from '../pktdrill/run.ts';

const USAGE = 'usage: npm run pktdrill -- [--tolerance_usecs=N] [--upstream] [--seed=N] [--verbose] <file.pkt>...';

function usage(message: string): never {
  process.stderr.write(`pktdrill: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function main(argv: string[]): number {
  const opts: RunOptions = {};
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z_]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      files.push(a);
      continue;
    }
    const [, name, inline] = m;
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || !/^\d+$/.test(v)) usage(`--${name} takes a non-negative integer`);
      return Number(v);
    };
    if (name === 'tolerance_usecs') opts.toleranceUsecs = value();
    else if (name === 'seed') opts.seed = value();
    else if (name === 'verbose' && inline === undefined) opts.verbose = true;
    else if (name === 'upstream' && inline === undefined) opts.upstreamTolerance = true;
    else if (name === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else usage(`unknown option ${a}`);
  }
  if (files.length === 0) usage('no script given');

  const texts: string[] = [];
  for (const f of files) {
    try {
      texts.push(readFileSync(f, 'utf8'));
    } catch (e) {
      process.stderr.write(`pktdrill: cannot read ${f}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  let failed = 0;
  files.forEach((file, i) => {
    const r = runScript(texts[i], { ...opts, file });
    if (opts.verbose) for (const line of r.log) process.stdout.write(`  ${line}\n`);
    if (r.status === 'pass') {
      process.stdout.write(`PASS ${file} (${r.eventsRun} events, ${(r.endUsecs / 1e6).toFixed(6)} s virtual)\n`);
    } else {
      failed++;
      process.stdout.write(`FAIL ${file}\n${formatFailure(r.failure!).replace(/^/gm, '  ')}\n`);
    }
  });
  if (files.length > 1) process.stdout.write(`${files.length - failed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
