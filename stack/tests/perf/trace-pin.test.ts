/**
 * Speed work must not change behaviour: the same seed gives the same run. These digests pin, for
 * every named scenario and for small versions of the benchmark workloads, the JSON of the whole
 * trace and of everything else the run reports (see ./workloads.ts). They were first taken at
 * 3cd2a1a, before any speed work, and regenerated at 3f7df5e for that commit's deliberate changes
 * to TCP; at 3f2f8f7 the stack with every "perf:" commit reverse-applied still gives exactly them.
 * last-ack-new-syn was regenerated when a FIN on a connection that never received data got its
 * delayed-ACK timer due at once (Linux's ato is 0 until the first data): its timer's due time moved.
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
  'fin-wait-2-timeout': '09a1b8785a531747bd8c3899892c9761',
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
  'flood, traced': 'c5f0c56c274b2b96216e169380145b34',
  'flood, untraced': '1613b7cffeccfc700d4c7a497742bfeb',
  'request/response, traced': '48672e2a3251daf27cbf37afcd03419a',
  'request/response, untraced': 'cbb8928c7ac1e8e2a20f3254570902e5',
  'bulk, traced': 'adddd4f980fd73be66316245256aae67',
  'bulk, untraced': '23177fe909ec0caa16a3ee0ec82475cc',
  'bulk over a lossy link, traced': '7dcd7a6842a7dd751843277fcd22bf0f',
  'bulk over a lossy link, untraced': 'dad125c3ae326d2dfdf0e1c0870f14b9',
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
