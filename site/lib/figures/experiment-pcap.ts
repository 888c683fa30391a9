/**
 * An Experiment's run as a classic pcap file (LINKTYPE_IPV4, virtual time from 0), written by the
 * stack's own encoder from the packets each host put on the wire, as tcpdump on its interface
 * would have seen them. Pure: the page turns the bytes into a download.
 */
import { encodePcap, type PcapRecord } from '../../../stack/core/wire/pcap.ts';
import { captureWorld } from '../../../stack/node/capture.ts';
import type { RunOptions } from '../../../stack/core/scenarios/index.ts';
import type { ScenarioRun } from '../../../stack/core/scenarios/types.ts';

export type CapturingRunner = (name: string, options: RunOptions) => ScenarioRun;

export function experimentPcap(run: CapturingRunner, scenario: string, options: RunOptions): Uint8Array {
  const packets: PcapRecord[] = [];
  run(scenario, { ...options, onWorld: (world) => captureWorld(world, packets) });
  return encodePcap(packets);
}
