/**
 * An output buffer that grows by half when a write would not fit: what the GPX and FIT
 * writers of a repair append to. Sized up front by its callers, it rarely grows at all.
 */
export class GrowableBytes {
  protected buf: Uint8Array;

  constructor(
    capacity: number,
    protected at = 0,
  ) {
    this.buf = new Uint8Array(Math.max(capacity, at + 64));
  }

  reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.at + n, Math.ceil(this.buf.length * 1.5)));
    grown.set(this.buf.subarray(0, this.at));
    this.buf = grown;
  }
}
