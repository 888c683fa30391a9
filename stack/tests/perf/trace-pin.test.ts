/**
 * Speed work must not change behaviour: the same seed gives the same run. These digests pin, for
 * every named scenario and for small versions of the benchmark workloads, the JSON of the whole
 * trace and of everything else the run reports (see ./workloads.ts). They were first taken at
 * 3cd2a1a, before any speed work, and regenerated at 3f7df5e for that commit's deliberate changes
 * to TCP; at 3f2f8f7 the stack with every "perf:" commit reverse-applied still gives exactly them.
 * last-ack-new-syn was regenerated when a FIN on a connection that never received data got its
 * delayed-ACK timer due at once (Linux's ato is 0 until the first data): its timer's due time moved.
 * fin-wait-2-timeout and the workloads were regenerated when TcpExtTW moved from TIME_WAIT's expiry
 * to the moment a socket becomes a timewait sock (measured on 6.18): only that counter changed.
 * request/response and the bulk workloads were regenerated when a read that empties the receive
 * queue began sending the pending delayed ACK of a segment that ended a write (tcp_cleanup_rbuf),
 * data after a silence longer than the RTO began quickack mode again, and a reply sent within ato
 * of the request began ping-pong mode (all measured on 6.18): bare ACKs go out sooner, or not at
 * all when a reply carries them; no scenario changed.
 *
 * A failure here after a change meant as an optimisation is a behaviour change: find it. A deliberate
 * change to the stack's behaviour moves these digests too; then regenerate them from the new code
 * and say in the commit which behaviour changed.
 */
import { describe, expect, it } from 'vitest';
import { WORKLOADS, digest, scenarioDigest, scenarioNames } from './workloads.ts';

const SCENARIO_DIGESTS: Record<string, string> = {
  'handshake': '4621816c5f86a7321197d7a043719dc6',
  'handshake-lost-synack': '7199615f24f186c3437c5cba058d89a4',
  'connect-refused': '92fc79325ed881196b3b1fe69ee1b3ef',
  'connect-timeout': '584ae7d4f7662edf85018f70786c23ae',
  'simultaneous-open': 'aa8df323d7e648e41a5dbbd53783081c',
  'teardown': '29b3f11208e05ef49cee6edbc056dddf',
  'teardown-delayed-ack': '08cfa4a783bae1636844c60cbdb3de6f',
  'simultaneous-close': '0b240f4a87e6e98b33bd5e1c04eaed5d',
  'time-wait-lost-ack': '61a6bdf37c00f66d5239c605699190f6',
  'fin-wait-2-timeout': '047cfd38e4aba19c3c18f06a66c449eb',
  'last-ack-new-syn': 'f3223d14481310e2bc0efded25d51b4f',
  'close-with-unread-data': '4e5affaed2cb1978c769e73012d5ed05',
  'syn-flood': '8d4dd83c37a2fb15410db264441c707d',
  'syn-flood-no-cookies': '9e70cf8ae6177c9c48e03622aec7b92d',
  'accept-queue-overflow': '87544980ee76cf36c141b6845809708a',
  'accept-queue-overflow-abort': 'ba39ec3188ee5887b60f54414fa275ff',
  'keepalive-dead-peer': '04d1ec547351face0e913350066bd8eb',
  'keepalive-rebooted-peer': '2f52b421265a396735da83acde8384b5',
  'keepalive-alive-peer': '21bb6bf1e8bf83087880873fc3601d32',
};

const WORKLOAD_DIGESTS: Record<string, string> = {
  'flood, traced': '9cd8d20fc1eed9b64dfa46a33d775a9e',
  'flood, untraced': 'de7a60d19eb184cd1898b1ad03423016',
  'request/response, traced': 'd45b91ee9069785c3c548d66d215262a',
  'request/response, untraced': '133aa38553f37987e8b30b3817983f40',
  'bulk, traced': '518624e25e2c8951aaae281a469edb89',
  'bulk, untraced': '9ef59a352645db980392e9aa49b7ebd3',
  'bulk over a lossy link, traced': '173b17066ae19c0a9a75393de7275a8d',
  'bulk over a lossy link, untraced': '5fcde2ebb8628b0e2e2d1ef99567e9ee',
};

describe('same seed, same run: scenarios', () => {
  it('pins every named scenario, and nothing else', () => {
    expect(scenarioNames().sort()).toEqual(Object.keys(SCENARIO_DIGESTS).sort());
  });
  it.each(Object.keys(SCENARIO_DIGESTS))('%s', (name) => {
    expect(scenarioDigest(name), `scenario "${name}": its trace or results differ from the pinned run`).toBe(SCENARIO_DIGESTS[name]);
  });
});

describe('same seed, same run: benchmark workloads, traced and untraced', () => {
  it('pins every workload', () => {
    expect(Object.keys(WORKLOADS).sort()).toEqual(Object.keys(WORKLOAD_DIGESTS).sort());
  });
  it.each(Object.keys(WORKLOAD_DIGESTS))('%s', (name) => {
    expect(digest(WORKLOADS[name]()), `workload "${name}": its trace or results differ from the pinned run`).toBe(WORKLOAD_DIGESTS[name]);
  });
});
