/** ss, nstat and tcp_info views of the stack: Linux's numbers and meanings. */
import { describe, expect, it } from 'vitest';
import {
  closeWait, closing, established, finWait1, finWait2, lastAck, listen, synReceived, synSent, timeWait,
  type StateFixture,
} from '../../testing/index.ts';
import { TCPI_STATE, formatSs, ssRows, tcpInfo } from '../../core/observe/ss.ts';

describe('tcp_info', () => {
  const cases: Array<[string, () => StateFixture, number]> = [
    ['ESTABLISHED', () => established(), 1],
    ['SYN_SENT', () => synSent(), 2],
    ['SYN_RECV', () => synReceived({ role: 'client' }), 3],
    ['FIN_WAIT_1', () => finWait1(), 4],
    ['FIN_WAIT_2', () => finWait2(), 5],
    ['TIME_WAIT', () => timeWait(), 6],
    ['CLOSE_WAIT', () => closeWait(), 8],
    ['LAST_ACK', () => lastAck(), 9],
    ['CLOSING', () => closing(), 11],
  ];
  it.each(cases)('tcpi_state of %s is %i (include/net/tcp_states.h)', (state, make, n) => {
    const f = make();
    expect(f.conn!.state).toBe(state);
    expect(tcpInfo(f.conn!).tcpi_state).toBe(n);
  });

  it('LISTEN is 10 and CLOSED 7', () => {
    expect([TCPI_STATE.LISTEN, TCPI_STATE.CLOSED]).toEqual([10, 7]);
  });

  it('tcpi_rto is 1 s in SYN_SENT and doubles with tcpi_backoff-style SYN timeouts past the linear ones', () => {
    const f = synSent({ sysctls: { 'net.ipv4.tcp_syn_linear_timeouts': 0 } });
    expect(tcpInfo(f.conn!).tcpi_rto).toBe(1_000_000);
    f.h.advanceTo(1000);
    expect(tcpInfo(f.conn!).tcpi_rto).toBe(2_000_000);
    expect(tcpInfo(f.conn!).tcpi_retransmits).toBe(1);
  });

  it('tcpi_last_data_recv counts from the last segment received', () => {
    const f = established();
    f.h.advanceTo(5010);
    expect(tcpInfo(f.conn!).tcpi_last_data_recv).toBe(5000);
  });
});

describe('ss', () => {
  it('LISTEN: Recv-Q is the accept queue, Send-Q the backlog; request socks show as SYN-RECV', () => {
    const l = listen({ backlog: 7 });
    const { h, host } = l;
    h.send(0, { flags: 'S', srcPort: 41000, options: [{ kind: 'mss', value: 1460 }] });
    h.send(0, { flags: 'S', srcPort: 41001, options: [{ kind: 'mss', value: 1460 }] });
    const sa = h.discard()[0].seg!;
    h.send(10, { flags: '.', srcPort: 41000, seq: h.pSeq(1), ack: (sa.seq + 1) >>> 0 });
    const rows = ssRows(host);
    expect(rows.find((r) => r.state === 'LISTEN')).toMatchObject({ recvQ: 1, sendQ: 7, local: '0.0.0.0:80', peer: '0.0.0.0:*' });
    expect(rows.filter((r) => r.state === 'SYN_RECV').map((r) => r.peer)).toEqual(['10.0.0.1:41001']);
    expect(rows.filter((r) => r.state === 'ESTABLISHED').map((r) => r.peer)).toEqual(['10.0.0.1:41000']);
    const text = formatSs(rows);
    expect(text.split('\n')[0]).toMatch(/^State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port$/);
    expect(text).toMatch(/LISTEN\s+1\s+7\s+0\.0\.0\.0:80/);
    expect(text).toMatch(/SYN-RECV\s+0\s+0/);
    expect(text).toMatch(/ESTAB\s+0\s+0/);
  });

  it('established rows show unread bytes as Recv-Q and unacknowledged bytes as Send-Q; TIME-WAIT shows 0', () => {
    const f = established();
    const { h, host, fd } = f;
    h.send(20, { flags: 'P.', seq: h.pSeq(1), ack: h.hSeq(1), payload: 'abc' });
    host.api.write(fd, 'hello');
    h.advanceTo(20);
    expect(ssRows(host)[0]).toMatchObject({ state: 'ESTABLISHED', recvQ: 3, sendQ: 5 });
    const tw = timeWait();
    expect(ssRows(tw.host)[0]).toMatchObject({ state: 'TIME_WAIT', recvQ: 0, sendQ: 0 });
  });
});

describe('nstat', () => {
  it('counters carry Linux names, TcpExt-prefixed where Linux prefixes them', () => {
    const l = listen({ backlog: 0 });
    const { h, host } = l;
    h.send(0, { flags: 'S', srcPort: 41000, options: [{ kind: 'mss', value: 1460 }] });
    const sa = h.discard()[0].seg!;
    h.send(10, { flags: '.', srcPort: 41000, seq: h.pSeq(1), ack: (sa.seq + 1) >>> 0 });
    h.send(20, { flags: 'S', srcPort: 41001, options: [{ kind: 'mss', value: 1460 }] });
    const nstat = Object.fromEntries(host.mib.nstat());
    expect(nstat).toMatchObject({ TcpPassiveOpens: 1, TcpExtListenOverflows: 1, TcpExtListenDrops: 1, TcpInSegs: 3, TcpOutSegs: 1 });
    expect(Object.values(nstat).every((v) => v > 0)).toBe(true);
  });

  it('a connect() counts TcpActiveOpens; a failed one TcpAttemptFails; malformed input its own counters', () => {
    const f = synSent();
    f.h.send(10, { flags: 'R.', seq: 0, ack: f.h.hSeq(1) });
    expect(f.host.mib.get('TcpActiveOpens')).toBe(1);
    f.h.sendBytes(20, new Uint8Array(10));
    expect(f.host.mib.get('IpInHdrErrors')).toBe(1);
  });
});
