/**
 * Loss recovery under a lossy, reordering, duplicating link, with and without SACK: every byte
 * arrives in order, and the scoreboard's counters (sacked_out, lost_out, the duplicate ACKs Reno
 * counts as SACKed), which the cwnd test and PRR read instead of walking the queue, agree with the
 * records at every millisecond (stack/testing/invariants.ts). The exact segments are pinned by
 * the packetdrill scripts (teardown/limited-transmit-no-sack, prr-sack-recovery), run on 6.18 too.
 */
import { describe, expect, it } from 'vitest';
import { World } from '../../core/world.ts';
import { invariantViolations } from '../../testing/index.ts';

function transfer(sack: boolean, seed: number) {
  const w = new World({ seed, link: { delay: 3, jitter: 2, loss: 0.03, duplicate: 0.01, reorder: 0.03 }, sysctls: { 'net.ipv4.tcp_sack': sack ? 1 : 0 } });
  const client = w.addHost('client', '10.0.0.1');
  const server = w.addHost('server', '10.0.0.2');
  const lfd = server.api.socket();
  if (!lfd.ok) throw new Error('socket');
  server.api.bind(lfd.value, 0, 80);
  server.api.listen(lfd.value, 8);
  const got: number[] = [];
  server.api.accept(lfd.value).then((r) => {
    if (!r.ok) return;
    const drain = () => server.api.read(r.value, 1 << 16).then((d) => {
      if (d.ok && d.value.length) {
        for (const b of d.value) got.push(b);
        drain();
      }
    });
    drain();
  });
  const data = new Uint8Array(300_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13 + 5) & 0xff;
  const cfd = client.api.socket();
  if (!cfd.ok) throw new Error('socket');
  client.api.connect(cfd.value, server.addr, 80).then(() => client.api.write(cfd.value, data));
  const violations: string[] = [];
  for (let t = 1; t <= 20_000 && got.length < data.length; t++) {
    w.runUntil(t);
    violations.push(...invariantViolations(client));
    if (violations.length) break;
  }
  return { got, data, violations, mib: client.mib };
}

describe('loss recovery over a lossy link', () => {
  for (const sack of [true, false]) {
    it(`${sack ? 'SACK' : 'no SACK'}: all data arrives, the scoreboard counters stay true`, () => {
      for (const seed of [1, 2]) {
        const r = transfer(sack, seed);
        expect(r.violations).toEqual([]);
        expect(r.got.length).toBe(r.data.length);
        expect(Buffer.from(r.got).equals(Buffer.from(r.data))).toBe(true);
        // Recovery really ran, of the kind the connection negotiated.
        expect(r.mib.get(sack ? 'TCPSackRecovery' : 'TCPRenoRecovery')).toBeGreaterThan(0);
        expect(r.mib.get(sack ? 'TCPRenoRecovery' : 'TCPSackRecovery')).toBe(0);
      }
    });
  }
});
