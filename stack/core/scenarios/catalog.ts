/**
 * The named scenarios. Each builds a small world (client 10.0.0.1, server 10.0.0.2, 5 ms each
 * way unless it says otherwise), scripts what the applications do and when, and reports the
 * figures the chapters quote. Times are virtual milliseconds.
 */
import type { World } from '../world.ts';
import type { ChapterSlug, ScenarioInfo } from './types.ts';
import { parseAddr } from '../wire/format.ts';
import { SynFlooder } from '../sim/attacker.ts';
import { CLIENT_ADDR, PORT, SERVER_ADDR, connectClient, listenServer, mustOk, readAll, sendTimes, stateTime, type Metrics } from './kit.ts';

export interface ScenarioDef extends ScenarioInfo {
  /** Sysctls this scenario sets before the caller's overrides. */
  sysctls?: Record<string, number>;
  /** Fault rules this scenario adds (fault-rule grammar). */
  faults?: string[];
  build(w: World, m: Metrics): (() => void) | void;
}

function twoHosts(w: World) {
  return { client: w.addHost('client', CLIENT_ADDR), server: w.addHost('server', SERVER_ADDR) };
}

/** A connection, some data each way, and the application closes scripted by the caller. */
function conversation(w: World, m: Metrics, closeClientAt: number | null, closeServer: 'on-eof' | number | null) {
  const { client, server } = twoHosts(w);
  let serverFd = -1;
  listenServer(server, {
    onAccept: (fd) => {
      serverFd = fd;
      readAll(server, fd, () => {
        m.serverSawEofAt = w.now;
        if (closeServer === 'on-eof') server.api.close(fd);
      }, () => server.api.write(fd, 'HTTP/1.1 200 OK\r\n\r\n'));
    },
  });
  const c = connectClient(w, client, 0, {}, (r) => {
    if (r.error) return;
    client.api.write(r.fd, 'GET / HTTP/1.1\r\n\r\n');
    readAll(client, r.fd, () => (m.clientSawEofAt = w.now));
  });
  if (closeClientAt !== null) w.at(closeClientAt, () => client.api.close(c.fd));
  if (typeof closeServer === 'number') w.at(closeServer, () => server.api.close(serverFd));
  return { client, server, c };
}

/**
 * A request, then the client ends its side at 1 s (shutdown(SHUT_WR) or close()); the server reads
 * end of file (CLOSE_WAIT) and, 0.5 s apart from then on, writes each text or closes. Each write's
 * outcome is metric `write1`, `write2`, …; the client reads all it can (`clientReadBytes`).
 */
function writeInCloseWait(w: World, m: Metrics, clientEnds: 'shutdown' | 'close', serverSteps: string[]): void {
  const { client, server } = twoHosts(w);
  listenServer(server, {
    onAccept: (fd) => {
      readAll(server, fd, () => {
        m.serverSawEofAt = w.now;
        let writes = 0;
        serverSteps.forEach((step, i) => {
          w.at(w.now + 500 + 1000 * i, () => {
            if (step === 'close') return void server.api.close(fd);
            const r = server.api.write(fd, step);
            m[`write${++writes}`] = r.ok ? 'ok' : r.errno;
          });
        });
      });
    },
  });
  connectClient(w, client, 0, {}, (r) => {
    if (r.error) return;
    client.api.write(r.fd, 'GET / HTTP/1.1\r\n\r\n');
    w.at(1000, () => (clientEnds === 'shutdown' ? client.api.shutdown(r.fd, 'SHUT_WR') : client.api.close(r.fd)));
    let got = 0;
    readAll(client, r.fd, () => {
      m.clientSawEofAt = w.now;
      m.clientReadBytes = got;
    }, (n) => (got += n));
  });
}

export const SCENARIOS: ScenarioDef[] = [
  {
    name: 'handshake',
    chapter: 'handshake',
    title: 'The three-way handshake',
    description: 'A client connects to a listening server: SYN, SYN-ACK, ACK. connect() returns when the SYN-ACK arrives; accept() when the final ACK has been processed.',
    lanes: ['client', 'server'],
    // Long enough for experiments that drop a handshake segment to see its 1 s retransmission.
    duration: 3000,
    build(w, m) {
      const { client, server } = twoHosts(w);
      listenServer(server, { onAccept: () => (m.acceptedAt = w.now) });
      const c = connectClient(w, client, 0);
      return () => {
        m.connectedAt = c.connectedAt;
      };
    },
  },
  {
    name: 'handshake-lost-synack',
    chapter: 'handshake',
    title: 'A lost SYN-ACK',
    description: "The server's first SYN-ACK is dropped. The client hears nothing and the server's request sock resends its SYN-ACK 1 s later; the client's SYN timer would have fired at the same moment.",
    lanes: ['client', 'server'],
    duration: 3000,
    faults: ['drop S. from server'],
    build(w, m) {
      const { client, server } = twoHosts(w);
      listenServer(server);
      const c = connectClient(w, client, 0);
      return () => {
        const t = sendTimes(w, 'server', 'S.');
        m.synAckTimes = t;
        m.synAckRetransmitAfter = t.length > 1 ? t[1] - t[0] : -1;
        m.connectedAt = c.connectedAt;
      };
    },
  },
  {
    name: 'connect-refused',
    chapter: 'handshake',
    title: 'Connecting to a closed port',
    description: 'Nothing listens on port 80: the server answers the SYN with RST|ACK and connect() fails with ECONNREFUSED.',
    lanes: ['client', 'server'],
    duration: 100,
    build(w, m) {
      const { client } = twoHosts(w);
      const c = connectClient(w, client, 0, {}, () => (m.failedAt = w.now));
      return () => {
        m.errno = c.error;
      };
    },
  },
  {
    name: 'connect-timeout',
    chapter: 'handshake',
    title: 'Connecting to a silent host',
    description: 'The server host is down. The client resends its SYN at 1, 2, 3, 4, 5, 7, 11, 19, 35 and 67 s and connect() fails with ETIMEDOUT at 131 s (with tcp_syn_linear_timeouts=0: 1, 3, 7, 15, 31, 63 s and 127 s).',
    lanes: ['client', 'server'],
    duration: 140_000,
    build(w, m) {
      const { client, server } = twoHosts(w);
      server.crash();
      const c = connectClient(w, client, 0, {}, () => (m.failedAt = w.now));
      return () => {
        m.synTimes = sendTimes(w, 'client', 'S');
        m.errno = c.error;
      };
    },
  },
  {
    name: 'simultaneous-open',
    chapter: 'handshake',
    title: 'Simultaneous open',
    description: 'Both hosts connect to each other at the same moment from fixed ports. Each SYN crosses the other; both pass through SYN_RECV and send a SYN-ACK, and both end ESTABLISHED with a single connection.',
    lanes: ['client', 'server'],
    duration: 100,
    build(w, m) {
      const a = w.addHost('client', CLIENT_ADDR);
      const b = w.addHost('server', SERVER_ADDR);
      for (const [host, peer, lport, rport] of [[a, b, 40000, 50000], [b, a, 50000, 40000]] as const) {
        host.at(0, () => {
          const fd = mustOk(host.api.socket(), 'socket');
          mustOk(host.api.bind(fd, 0, lport), 'bind');
          host.api.connect(fd, peer.addr, rport).then((r) => (m[`${host.name}Result`] = r.ok ? 'connected' : r.errno));
        });
      }
    },
  },
  {
    name: 'teardown',
    chapter: 'teardown',
    title: 'The four-way teardown',
    description: 'After a request and a response the client closes first: FIN, ACK, (the server application closes 1 s later) FIN, ACK. The client, the active closer, waits 60 s in TIME_WAIT.',
    lanes: ['client', 'server'],
    duration: 65_000,
    build(w, m) {
      conversation(w, m, 1000, 2000);
      return () => {
        m.timeWaitEnteredAt = stateTime(w, 'client', 'TIME_WAIT');
        const left = w.trace.events.find((e) => e.kind === 'state' && e.host === 'client' && e.from === 'TIME_WAIT');
        m.timeWaitLeftAt = left ? left.t : -1;
        m.timeWaitDuration = left ? left.t - (m.timeWaitEnteredAt as number) : -1;
        m.serverLastAckAt = stateTime(w, 'server', 'LAST_ACK');
      };
    },
  },
  {
    name: 'teardown-delayed-ack',
    chapter: 'teardown',
    title: 'The three-segment teardown',
    description: "After a request and a response the client closes, and the server application closes as soon as it reads end of file. Having received data, the server delays its ACK of the client's FIN (40 ms), so the server's FIN carries it: FIN, FIN+ACK, ACK.",
    lanes: ['client', 'server'],
    duration: 65_000,
    build(w, m) {
      conversation(w, m, 1000, 'on-eof');
      return () => {
        const after = w.trace.events.filter((e) => e.kind === 'segment' && e.t >= 1000 && (e.from === 'client' || e.from === 'server'));
        m.teardownSegments = after.length;
      };
    },
  },
  {
    name: 'simultaneous-close',
    chapter: 'teardown',
    title: 'Simultaneous close',
    description: 'Both applications close at the same moment. Each FIN arrives in FIN_WAIT_1, so both sides pass through CLOSING and both end in TIME_WAIT.',
    lanes: ['client', 'server'],
    duration: 65_000,
    build(w, m) {
      conversation(w, m, 1000, 1000);
      return () => {
        m.clientClosingAt = stateTime(w, 'client', 'CLOSING');
        m.serverClosingAt = stateTime(w, 'server', 'CLOSING');
        m.clientTimeWaitAt = stateTime(w, 'client', 'TIME_WAIT');
        m.serverTimeWaitAt = stateTime(w, 'server', 'TIME_WAIT');
      };
    },
  },
  {
    name: 'time-wait-lost-ack',
    chapter: 'teardown',
    title: 'TIME_WAIT and a lost last ACK',
    description: "The client's final ACK is lost. The server, in LAST_ACK, retransmits its FIN; the client in TIME_WAIT ACKs it again and restarts its 60 s.",
    lanes: ['client', 'server'],
    duration: 65_000,
    faults: ['drop =. from client after 1900'],
    build(w, m) {
      conversation(w, m, 1000, 2000);
      return () => {
        const fins = sendTimes(w, 'server', 'F.');
        m.serverFinTimes = fins;
        const entered = stateTime(w, 'client', 'TIME_WAIT');
        const left = w.trace.events.find((e) => e.kind === 'state' && e.host === 'client' && e.from === 'TIME_WAIT');
        m.timeWaitEnteredAt = entered;
        m.timeWaitLeftAt = left ? left.t : -1;
        m.timeWaitRearmedAt = fins.length > 1 ? fins[1] + 5 : -1;
      };
    },
  },
  {
    name: 'fin-wait-2-timeout',
    chapter: 'teardown',
    title: 'An orphaned FIN_WAIT_2 whose peer vanished',
    description: "The client closes; the server acknowledges the FIN and then its host dies before its application closes. The client's socket, orphaned in FIN_WAIT_2, is freed silently after tcp_fin_timeout (60 s): no TIME_WAIT, no RST.",
    lanes: ['client', 'server'],
    duration: 70_000,
    build(w, m) {
      const { server } = conversation(w, m, 1000, null);
      w.at(1200, () => server.crash());
      return () => {
        m.finWait2At = stateTime(w, 'client', 'FIN_WAIT_2');
        const freed = w.trace.events.find((e) => e.kind === 'state' && e.host === 'client' && e.from === 'FIN_WAIT_2');
        m.freedAt = freed ? freed.t : -1;
        m.finWait2Duration = freed ? freed.t - (m.finWait2At as number) : -1;
      };
    },
  },
  {
    name: 'last-ack-new-syn',
    chapter: 'teardown',
    title: 'A new SYN meets a connection in LAST_ACK',
    description: "The client closes, then crashes before the server's FIN arrives, and reboots. Its new connection reuses the old 4-tuple: the server, still in LAST_ACK, answers the SYN with a challenge ACK; the client replies RST, which destroys the old connection; the client's SYN, retried at once, opens a fresh one.",
    lanes: ['client', 'server'],
    duration: 4000,
    build(w, m) {
      const { client, server } = twoHosts(w);
      listenServer(server, {
        onAccept: (fd) => readAll(server, fd, () => server.api.close(fd)),
      });
      const c = connectClient(w, client, 0, { port: 40000 });
      w.at(1000, () => client.api.close(c.fd));
      w.at(1003, () => client.crash());
      w.at(2000, () => client.reboot());
      const again = connectClient(w, client, 2001, { port: 40000 });
      return () => {
        m.serverLastAckAt = stateTime(w, 'server', 'LAST_ACK');
        m.reconnectedAt = again.connectedAt;
      };
    },
  },
  {
    name: 'close-with-unread-data',
    chapter: 'teardown',
    title: 'close() with unread data sends RST',
    description: 'The client sends a request the server application never reads; the server closes anyway. Data would be silently lost, so Linux sends RST instead of FIN (TCPAbortOnClose) and the client sees ECONNRESET.',
    lanes: ['client', 'server'],
    duration: 2000,
    build(w, m) {
      const { client, server } = twoHosts(w);
      listenServer(server, { onAccept: (fd) => w.at(1000, () => server.api.close(fd)) });
      connectClient(w, client, 0, {}, (r) => {
        client.api.write(r.fd, 'a request nobody reads');
        client.api.read(r.fd).then((res) => (m.clientRead = res.ok ? 'data' : res.errno));
      });
      return () => {
        m.rstAt = sendTimes(w, 'server', 'R.')[0] ?? -1;
        m.TCPAbortOnClose = server.mib.get('TCPAbortOnClose');
      };
    },
  },
  {
    name: 'close-wait-write',
    chapter: 'teardown',
    title: 'Writing in CLOSE_WAIT after a half-close',
    description: "The client sends its request and calls shutdown(SHUT_WR) at 1 s: its FIN says only that it will send nothing more. The server reads end of file and is in CLOSE_WAIT, yet writes its reply 0.5 s later — data still flows the other way on a half-closed connection — and closes 1 s after that. The client reads the whole reply, then end of file, and ends in TIME_WAIT.",
    lanes: ['client', 'server'],
    duration: 65_000,
    build(w, m) {
      writeInCloseWait(w, m, 'shutdown', ['HTTP/1.1 200 OK\r\n\r\nwritten in CLOSE_WAIT', 'close']);
      return () => {
        m.serverCloseWaitAt = stateTime(w, 'server', 'CLOSE_WAIT');
        m.clientTimeWaitAt = stateTime(w, 'client', 'TIME_WAIT');
      };
    },
  },
  {
    name: 'close-wait-write-after-close',
    chapter: 'teardown',
    title: 'Writing in CLOSE_WAIT to a peer that closed completely',
    description: "The client calls close() at 1 s, not shutdown(): it will read nothing more. The server, in CLOSE_WAIT, writes its reply 0.5 s later anyway. The client's socket is gone and it will never read again, so its TCP answers the data with a RST <SEQ=SEG.ACK>; the server's next write, 1 s after the first, fails with EPIPE — Linux's tcp_reset reports a reset in CLOSE_WAIT as a broken pipe (a real program also gets SIGPIPE, which ends it unless it ignores the signal).",
    lanes: ['client', 'server'],
    duration: 5000,
    build(w, m) {
      writeInCloseWait(w, m, 'close', ['HTTP/1.1 200 OK\r\n\r\nnobody reads this', 'and this']);
      return () => {
        m.clientRstAt = sendTimes(w, 'client', 'R')[0] ?? -1;
      };
    },
  },
  ...floodScenarios(),
  ...queueScenarios(),
  ...keepaliveScenarios(),
];

function floodScenarios(): ScenarioDef[] {
  const flood = (cookies: boolean): ScenarioDef => ({
    name: cookies ? 'syn-flood' : 'syn-flood-no-cookies',
    chapter: 'syn-flood',
    title: cookies ? 'A SYN flood, answered with cookies' : 'A SYN flood with cookies off',
    description: cookies
      ? 'An attacker sends 1000 spoofed SYNs per second for 10 s at a server with backlog 64. The SYN queue fills within a tenth of a second; from then on the server answers with SYN cookies and keeps no state, so three legitimate clients still connect during the flood.'
      : "The same flood with tcp_syncookies=0. Once the SYN queue is full every new SYN is dropped, the legitimate clients' among them. Pruning frees slots now and then (old requests get only 2 SYN-ACK retries), but the flood refills them within a millisecond; in this run no legitimate client gets in while the flood lasts.",
    lanes: ['client', 'server'],
    duration: 75_000,
    sysctls: cookies ? {} : { 'net.ipv4.tcp_syncookies': 0 },
    build(w, m) {
      const { client, server } = twoHosts(w);
      listenServer(server, { backlog: 64 });
      const flooder = new SynFlooder(w.network, w.sched, w.random.fork(), {
        target: server.addr, port: PORT, rate: 1000, count: 10_000,
        sourceBase: parseAddr('198.18.0.0'), sourceCount: 65536, withOptions: true,
      });
      flooder.start(0);
      const clients = [1300, 2600, 3900].map((t) => connectClient(w, client, t));
      return () => {
        m.floodSyns = flooder.sent;
        m.clientsConnectedDuringFlood = clients.filter((c) => c.connectedAt >= 0 && c.connectedAt < 10_000).length;
        m.clientsConnected = clients.filter((c) => c.connectedAt >= 0).length;
        m.clientConnectTimes = clients.map((c) => c.connectedAt);
      };
    },
  });
  return [flood(true), flood(false)];
}

function queueScenarios(): ScenarioDef[] {
  const overflow = (abort: boolean): ScenarioDef => ({
    name: abort ? 'accept-queue-overflow-abort' : 'accept-queue-overflow',
    chapter: 'queues',
    title: abort ? 'Accept queue overflow with tcp_abort_on_overflow=1' : 'Accept queue overflow',
    description: abort
      ? 'As in accept-queue-overflow, but with tcp_abort_on_overflow=1 the server answers the final ACK that finds the accept queue full with RST: clients 6 and 7 see ECONNRESET instead of a connection that hangs.'
      : 'A server with backlog 4 never calls accept(). Its accept queue fills at 5 connections (backlog + 1). The final ACKs of clients 6 and 7 are dropped although those clients believe they are connected; the server keeps resending its SYN-ACK. Client 8\'s SYN is dropped because the accept queue is full.',
    lanes: ['client', 'server'],
    duration: 70_000,
    sysctls: abort ? { 'net.ipv4.tcp_abort_on_overflow': 1 } : {},
    build(w, m) {
      const server = w.addHost('server', SERVER_ADDR);
      const hosts = Array.from({ length: 8 }, (_, i) => w.addHost(i === 0 ? 'client' : `client${i + 1}`, `10.0.0.${i === 0 ? 1 : 10 + i}`));
      listenServer(server, { backlog: 4, accept: false });
      const starts = [0, 100, 200, 300, 400, 401, 402, 600];
      const results = hosts.map((h, i) => connectClient(w, h, starts[i], {}, (r) => {
        if (r.error) return;
        // Each client sends a request a second later: that is when a dropped or reset connection shows.
        w.at(w.now + 1000, () => {
          const wr = h.api.write(r.fd, 'hello');
          m[`${h.name}Write`] = wr.ok ? 'ok' : wr.errno;
        });
      }));
      let maxAccept = 0;
      return () => {
        for (const e of w.trace.events) if (e.kind === 'queue' && e.host === 'server') maxAccept = Math.max(maxAccept, e.acceptQueue);
        m.backlog = 4;
        m.acceptQueueMax = maxAccept;
        m.clientsConnected = results.filter((r) => r.connectedAt >= 0).length;
        m.ListenOverflows = server.mib.get('ListenOverflows');
      };
    },
  });
  return [overflow(false), overflow(true)];
}

function keepaliveScenarios(): ScenarioDef[] {
  const ka = (kind: 'dead' | 'rebooted' | 'alive'): ScenarioDef => ({
    name: `keepalive-${kind === 'dead' ? 'dead' : kind === 'rebooted' ? 'rebooted' : 'alive'}-peer`,
    chapter: 'keepalive',
    title: kind === 'dead' ? 'Keepalive finds a dead peer' : kind === 'rebooted' ? 'Keepalive finds a rebooted peer' : 'Keepalive on a healthy idle connection',
    description:
      kind === 'dead'
        ? "The server's accepted socket has SO_KEEPALIVE. The client host dies 1 s after connecting. After 7200 s of silence the server probes, then every 75 s; after 9 unanswered probes (7875 s of idleness) it resets the connection and the application gets ETIMEDOUT."
        : kind === 'rebooted'
          ? "The client host reboots 1 s after connecting and loses all TCP state. The server's first keepalive probe, after 7200 s of idleness, is answered with RST: the application gets ECONNRESET."
          : 'Both hosts stay up and idle. Every 7200 s the server probes and the client answers with an ACK, which restarts the idle clock; the connection survives.',
    lanes: ['client', 'server'],
    duration: kind === 'alive' ? 22_000_000 : 8_000_000,
    build(w, m) {
      const { client, server } = twoHosts(w);
      let idleFrom = -1;
      listenServer(server, {
        keepalive: true,
        onAccept: (fd) => {
          idleFrom = w.now;
          server.api.read(fd).then((r) => {
            m.serverRead = r.ok ? (r.value.length ? 'data' : 'eof') : r.errno;
            m.serverErrorAt = w.now;
          });
        },
      });
      connectClient(w, client, 0);
      if (kind === 'dead') w.at(1000, () => client.crash());
      if (kind === 'rebooted') {
        w.at(1000, () => client.crash());
        w.at(1100, () => client.reboot());
      }
      return () => {
        const probes = w.trace.events.filter((e) => e.kind === 'segment' && e.from === 'server' && e.flags === '.' && e.len === 0 && e.relSeq === 0 && e.t > 1000);
        m.idleFrom = idleFrom;
        m.probeTimes = probes.map((p) => p.t);
        m.probeIdleTimes = probes.map((p) => p.t - idleFrom);
        m.probes = probes.length;
        m.serverErrorIdle = (m.serverErrorAt as number) >= 0 ? (m.serverErrorAt as number) - idleFrom : -1;
      };
    },
  });
  return [ka('dead'), ka('rebooted'), ka('alive')];
}
