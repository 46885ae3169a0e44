/**
 * A growable byte buffer for writing large JSON pages quickly: ASCII pieces and integers go
 * straight into bytes, without building intermediate strings per data point.
 */
export class AsciiWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  bytes(b: Buffer): void {
    if (this.pos + b.length > this.buf.length) this.grow(b.length);
    const buf = this.buf;
    let p = this.pos;
    if (b.length > 48) p += b.copy(buf, p);
    else for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** A string of ASCII characters only. */
  ascii(s: string): void {
    if (this.pos + s.length > this.buf.length) this.grow(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  byte(c: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** A non-negative integer below 2^53. */
  uint(value: number): void {
    if (this.pos + 17 > this.buf.length) this.grow(17);
    const buf = this.buf;
    let n = value;
    if (n < 10) {
      buf[this.pos++] = 48 + n;
      return;
    }
    let len = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) len++;
    let p = this.pos + len;
    this.pos = p;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      buf[--p] = 48 + (n - q * 10);
      n = q;
    }
    buf[--p] = 48 + n;
  }

  /** An amount in ten-thousandths, as the JSON number with at most 4 decimals (same value as `money()`). */
  money4(value: number): void {
    let n = Math.round(value);
    if (n < 0) {
      this.byte(45);
      n = -n;
    }
    const int = Math.floor(n / 10000);
    let frac = n - int * 10000;
    this.uint(int);
    if (frac === 0) return;
    if (this.pos + 5 > this.buf.length) this.grow(5);
    const buf = this.buf;
    buf[this.pos++] = 46;
    let div = 1000;
    while (frac > 0) {
      const d = Math.floor(frac / div);
      buf[this.pos++] = 48 + d;
      frac -= d * div;
      div /= 10;
    }
  }

  get length(): number {
    return this.pos;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** The items [from, to) of `total` that a page at `offset` of `size` items holds (empty past the end). */
export function pageBounds(offset: number, size: number, total: number): { from: number; to: number } {
  const from = Math.min(offset, total);
  return { from, to: Math.min(total, from + size) };
}

/**
 * Points `from` to `to` of a series (src/sandbox/values.ts) as one JSON array, the one writer of
 * every dialect's series pages: each point is `open(bucket)` (built once per bucket, whose points
 * follow each other), then what `values(w, group)` writes once `compute(i)` has filled the series'
 * accumulators, then `}`.
 */
export function writeSeriesArray<G, B>(
  series: { compute(i: number): { group: G; bucket: B } },
  from: number,
  to: number,
  open: (bucket: B) => string,
  values: (w: AsciiWriter, group: G) => void,
  bytesPerPoint = 200,
): Buffer {
  const w = new AsciiWriter(Math.max(1024, (to - from) * bytesPerPoint));
  let lastBucket: B | undefined;
  let head = Buffer.alloc(0);
  w.byte(91);
  for (let i = from; i < to; i++) {
    const { group, bucket } = series.compute(i);
    if (i === from || bucket !== lastBucket) {
      lastBucket = bucket;
      head = Buffer.from(open(bucket), 'latin1');
    }
    if (i > from) w.byte(44);
    w.bytes(head);
    values(w, group);
    w.byte(125);
  }
  w.byte(93);
  return w.result();
}
