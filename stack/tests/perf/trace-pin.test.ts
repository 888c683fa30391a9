/**
 * Speed work must not change behaviour: the same seed gives the same run. These digests were taken
 * from the stack as it stood before the simulator was optimised (commit 3cd2a1a) and pin, for every
 * named scenario and for small versions of the benchmark workloads, the JSON of the whole trace and
 * of everything else the run reports (see ./workloads.ts).
 *
 * A failure here after a change meant as an optimisation is a behaviour change: find it. A deliberate
 * change to the stack's behaviour moves these digests too; then regenerate them from the new code
 * and say in the commit which behaviour changed.
 */
import { describe, expect, it } from 'vitest';
import { WORKLOADS, digest, scenarioDigest, scenarioNames } from './workloads.ts';

const SCENARIO_DIGESTS: Record<string, string> = {
  'handshake': '7ce56baafc980b7ca85edd127a4548ba',
  'handshake-lost-synack': 'afa2370de5537c3c92ae46a025c6c428',
  'connect-refused': '92fc79325ed881196b3b1fe69ee1b3ef',
  'connect-timeout': '584ae7d4f7662edf85018f70786c23ae',
  'simultaneous-open': 'bc0a2fe4bd79b30f8bd53386653524ed',
  'teardown': '2f1c97c5bd36e967f20c26af3720bd04',
  'teardown-delayed-ack': '3fdd7f3a2bc5719be50f49c5f58b7478',
  'simultaneous-close': 'e14c0b27c520c2bc75dcc94d0ab1f975',
  'time-wait-lost-ack': '202b142832d1b85ae1961a28136a1e18',
  'fin-wait-2-timeout': '2d7032fbc1d3624ab62c43ebb23b629f',
  'last-ack-new-syn': '7206952b88876b98cad8494fdba42772',
  'close-with-unread-data': '6591605b43589ba33aea9e980e5e352d',
  'syn-flood': '0bd382a8453a0eaf86323a769bad2dbc',
  'syn-flood-no-cookies': '782c74ea9b6fd69c9659cfa2be1512d5',
  'accept-queue-overflow': '4d7e35b301e353beeab590b9d0634ca3',
  'accept-queue-overflow-abort': 'b7df04ecde8c58c1b887b91c9268a416',
  'keepalive-dead-peer': '5a7bad1b3507b996ef9ec1754a4e01e1',
  'keepalive-rebooted-peer': 'd599eee89acf527d002f553edb63e946',
  'keepalive-alive-peer': 'ca01547d6ee35b00c90dddb4fe89e559',
};

const WORKLOAD_DIGESTS: Record<string, string> = {
  'flood, traced': '5bb58719ff6da1e51b35fa1a30635607',
  'flood, untraced': '1613b7cffeccfc700d4c7a497742bfeb',
  'request/response, traced': '49fd74471ede064c74e678705fa79682',
  'request/response, untraced': 'cbb8928c7ac1e8e2a20f3254570902e5',
  'bulk, traced': '8c0ee95b01a3f82e233066c2aefab1c3',
  'bulk, untraced': '7d04b72cbd4725ff1a7d3a28f2fc87aa',
  'bulk over a lossy link, traced': '327e658bf915f4bd82acf1ab015a12bd',
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
