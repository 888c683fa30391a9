/** A packet capture of a simulated world, taken at each sender (what tcpdump on its interface sees). */
import type { World } from '../core/world.ts';
import type { PcapRecord } from '../core/wire/pcap.ts';

export function captureWorld(world: World, into: PcapRecord[]): void {
  const send = world.network.send.bind(world.network);
  world.network.send = (from, packet, seg) => {
    into.push({ t: world.now, bytes: packet.slice() });
    send(from, packet, seg);
  };
}
