/** A FIFO of bytes made of chunks: the send queue and the receive queue of a connection. */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // offset into chunks[0]
  length = 0;

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  /**
   * `len` bytes starting `offset` bytes into the queue (clamped to what is there). A view when
   * they lie in one chunk — chunks are never written after push — otherwise a copy.
   */
  peek(offset: number, len: number): Uint8Array {
    const n = Math.max(0, Math.min(len, this.length - offset));
    let skip = offset + this.head;
    for (const c of this.chunks) {
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      if (skip + n <= c.length) return c.subarray(skip, skip + n);
      break;
    }
    const out = new Uint8Array(n);
    skip = offset + this.head;
    let written = 0;
    for (const c of this.chunks) {
      if (written === n) break;
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      const take = Math.min(c.length - skip, n - written);
      out.set(c.subarray(skip, skip + take), written);
      written += take;
      skip = 0;
    }
    return out;
  }

  /** Removes and returns up to `n` bytes from the front. */
  shift(n: number): Uint8Array {
    const out = this.peek(0, n);
    this.drop(out.length);
    return out;
  }

  drop(n: number): void {
    let left = Math.min(n, this.length);
    this.length -= left;
    while (left > 0) {
      const c = this.chunks[0];
      const avail = c.length - this.head;
      if (left < avail) {
        this.head += left;
        return;
      }
      left -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.length = 0;
  }
}
