/**
 * Classic libpcap capture files, so Wireshark and tshark can open what the simulator sent.
 * Pure: it returns the file's bytes; writing them to disk belongs to the Node CLI.
 *
 * Format: https://www.tcpdump.org/manpages/pcap-savefile.5.html. The link type is
 * LINKTYPE_IPV4 (228), "raw IPv4": each record is an IPv4 packet with no link-layer header,
 * which is exactly what encodeSegment produces.
 */

const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
const PCAP_VERSION_MAJOR = 2;
const PCAP_VERSION_MINOR = 4;
export const PCAP_SNAPLEN = 65535;
export const LINKTYPE_IPV4 = 228;

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

export interface PcapRecord {
  /** Virtual time in milliseconds since the start of the run; fractions allowed. */
  t: number;
  /** One IPv4 packet. */
  bytes: Uint8Array;
}

/**
 * A pcap file holding one record per packet, in the order given. Timestamps are the virtual
 * time as seconds + microseconds from the epoch 0 (Wireshark shows them as 1970-01-01, and its
 * relative-time column reads directly as the simulator's clock); sub-microsecond fractions are
 * rounded to the nearest microsecond. Throws a RangeError for a time that is negative, not finite
 * or past 2^32 seconds, since the file cannot represent it.
 */
export function encodePcap(records: PcapRecord[]): Uint8Array {
  let size = GLOBAL_HEADER_BYTES;
  for (let i = 0; i < records.length; i++) {
    size += RECORD_HEADER_BYTES + Math.min(records[i].bytes.length, PCAP_SNAPLEN);
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  // Written little-endian; readers detect byte order from how the magic number reads back.
  view.setUint32(0, PCAP_MAGIC_MICROSECONDS, true);
  view.setUint16(4, PCAP_VERSION_MAJOR, true);
  view.setUint16(6, PCAP_VERSION_MINOR, true);
  view.setInt32(8, 0, true); // thiszone: timestamps are UTC
  view.setUint32(12, 0, true); // sigfigs: always 0 in practice
  view.setUint32(16, PCAP_SNAPLEN, true);
  view.setUint32(20, LINKTYPE_IPV4, true);

  let at = GLOBAL_HEADER_BYTES;
  for (let i = 0; i < records.length; i++) {
    const { t, bytes } = records[i];
    if (!Number.isFinite(t) || t < 0) {
      throw new RangeError(`cannot write pcap record ${i}: time ${t} ms is not a finite, non-negative number`);
    }
    const micros = Math.round(t * 1000);
    const seconds = Math.floor(micros / 1_000_000);
    if (seconds > 0xffffffff) {
      throw new RangeError(`cannot write pcap record ${i}: time ${t} ms is past the 32-bit seconds field of classic pcap`);
    }
    const captured = Math.min(bytes.length, PCAP_SNAPLEN);
    view.setUint32(at, seconds, true);
    view.setUint32(at + 4, micros - seconds * 1_000_000, true);
    view.setUint32(at + 8, captured, true);
    view.setUint32(at + 12, bytes.length, true);
    out.set(captured === bytes.length ? bytes : bytes.subarray(0, captured), at + RECORD_HEADER_BYTES);
    at += RECORD_HEADER_BYTES + captured;
  }
  return out;
}
