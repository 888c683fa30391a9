/** A second FIN in CLOSE_WAIT (found by kernel interop): ignored, RCV.NXT does not move. */
import { expect, it } from 'vitest';
import { runScenario } from '../../core/scenarios/index.ts';
import { encodeSegment } from '../../core/wire/codec.ts';
import { ACK, FIN, RST } from '../../core/wire/segment.ts';

it('a FIN beyond RCV.NXT arriving in CLOSE_WAIT changes nothing', () => {
  let checked = false;
  runScenario('teardown', {
    until: 1500,
    onWorld: (w) => {
      w.at(1100, () => {
        const server = w.host('server');
        const conn = [...server.connections.values()].find((c) => c.state === 'CLOSE_WAIT');
        expect(conn, 'the server is in CLOSE_WAIT after the client closed').toBeDefined();
        const before = conn!.rcvNxt;
        const bogus = encodeSegment({
          srcAddr: conn!.remoteAddr, dstAddr: conn!.localAddr, srcPort: conn!.remotePort, dstPort: conn!.localPort,
          seq: conn!.rcvNxt, ack: conn!.sndNxt, flags: FIN | ACK, window: 500, urgent: 0, options: [], payload: new Uint8Array(0),
        });
        server.receive(bogus);
        expect(conn!.rcvNxt).toBe(before);
        expect(conn!.state).toBe('CLOSE_WAIT');
        checked = true;
      });
    },
  });
  expect(checked).toBe(true);
});

it('after a RST in CLOSE_WAIT, read() returns end of file and the EPIPE waits for write()', () => {
  let checked = false;
  runScenario('teardown', {
    until: 1500,
    onWorld: (w) => {
      w.at(1100, () => {
        const server = w.host('server');
        const fd = server.api.descriptors().find((d) => server.api.connectionOf(d)?.state === 'CLOSE_WAIT')!;
        const conn = server.api.connectionOf(fd)!;
        server.receive(encodeSegment({
          srcAddr: conn.remoteAddr, dstAddr: conn.localAddr, srcPort: conn.remotePort, dstPort: conn.localPort,
          seq: conn.rcvNxt, ack: 0, flags: RST, window: 0, urgent: 0, options: [], payload: new Uint8Array(0),
        }));
        expect(conn.state).toBe('CLOSED');
        const r = server.api.read(fd);
        expect(r.done && r.result).toEqual({ ok: true, value: new Uint8Array(0) });
        expect(server.api.write(fd, 'late')).toEqual({ ok: false, errno: 'EPIPE' });
        checked = true;
      });
    },
  });
  expect(checked).toBe(true);
});
