/**
 * Rewrites one of our suite scripts for upstream packetdrill against the real kernel (see
 * ../KERNEL.md). Our runner reads `%{ assert tcpi_state == TCPI_X }%` from the connection's
 * 4-tuple, so it can inspect an orphaned socket after close(); upstream packetdrill runs
 * `%{ }%` as Python on a getsockopt(TCP_INFO) of a live descriptor, which an orphan no longer
 * has. So state asserts become shell lines that ask `ss` (sscheck.sh), tcpi_backoff /
 * tcpi_retransmits asserts become `ss -tino` checks (ssfield.sh), and every other assert stays
 * Python (tcpi.py supplies the TCPI_ state names). A state check that fails at once keeps looking
 * in the background for a while (kernel timers have slack) and records its failure in a file. getsockopt(SO_LINGER) lines are dropped:
 * upstream packetdrill cannot read back a struct linger.
 *
 *   npx tsx stack/pktdrill/kernel/kernelize.ts <file.pkt> <helper dir>  > out.pkt
 */
import { readFileSync } from 'node:fs';

export function kernelize(text: string, helpers: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let remotePort: string | null = null;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    // The connection under test: the remote port of the last explicit "a>b" port pair.
    const ports = /^\s*\S+\s+[<>]\s+(\d+)>(\d+)\s/.exec(line);
    if (ports) remotePort = ports[2] === '8080' ? ports[1] : ports[2];
    if (/getsockopt\(.*SO_LINGER/.test(line)) {
      out.push(`// (kernel run: dropped) ${line.trim()}`);
      continue;
    }
    const open = line.indexOf('%{');
    if (open < 0) {
      out.push(line);
      continue;
    }
    let body = line.slice(open + 2);
    while (!body.includes('}%')) {
      n++;
      if (n >= lines.length) throw new Error(`unterminated %{ at line ${n}`);
      body += `\n${lines[n]}`;
    }
    body = body.slice(0, body.indexOf('}%'));
    const time = line.slice(0, open).trim() || '+0';
    // Timer slack adds up over a chain of timers (SYN retransmissions up to 131 s): at an absolute
    // time t a state may be reached up to 12.5% of t late, as packetdrill allows for packets.
    const abs = /^\d+(\.\d+)?$/.test(time) ? Number(time) : 0;
    const slack = Math.max(3, Math.ceil(abs / 8));
    const checks: string[] = [];
    const python: string[] = [];
    for (const stmt of body.split('\n').map((s) => s.trim()).filter(Boolean)) {
      const state = /^assert tcpi_state == (TCPI_[A-Z_0-9]+)/.exec(stmt);
      const backoff = /^assert tcpi_backoff == ([1-9]\d*)$/.exec(stmt);
      const retrans = /^assert tcpi_retransmits == ([1-9]\d*)$/.exec(stmt);
      if (state) checks.push(`SS_TOLERANCE=${slack} ${helpers}/sscheck.sh ${state[1]} ${remotePort ?? '-'}`);
      else if (backoff) checks.push(`${helpers}/ssfield.sh 'backoff:${backoff[1]}\\b'`);
      else if (retrans) checks.push(`${helpers}/ssfield.sh 'timer:\\(on,[^,]*,${retrans[1]}\\)'`);
      else python.push(stmt);
    }
    checks.forEach((c, i) => out.push(`${i === 0 ? time : '+0'} \`${c}\``));
    if (python.length) out.push(`${checks.length ? '+0' : time} %{\n${python.join('\n')}\n}%`);
  }
  return out.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [file, helpers] = process.argv.slice(2);
  if (!file || !helpers) {
    process.stderr.write('usage: kernelize.ts <file.pkt> <helper dir>\n');
    process.exit(2);
  }
  process.stdout.write(`${kernelize(readFileSync(file, 'utf8'), helpers)}\n`);
}
