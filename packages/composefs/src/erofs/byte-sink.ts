import { Buffer } from 'node:buffer';

/** Size of the chunks the image writer emits. */
export const IMAGE_CHUNK_SIZE = 1 << 20;
/** Up to this length a byte string is copied in a loop; longer ones (xattr values, targets) natively. */
const LATIN1_LOOP_MAX = 16;

/**
 * Little-endian append buffer that hands out filled chunks of
 * {@link IMAGE_CHUNK_SIZE} bytes, so an image is produced in bounded memory.
 */
export class ByteSink {
  private buffer = Buffer.alloc(IMAGE_CHUNK_SIZE);
  private view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  private offset = 0;
  private readyChunks: Uint8Array[] = [];
  /** Bytes appended so far. */
  position = 0;

  /** Makes room for a small write (at most one chunk) in the current buffer. */
  private room(n: number): void {
    if (this.offset + n > this.buffer.length) this.flush();
  }

  private flush(): void {
    if (this.offset === 0) return;
    this.readyChunks.push(this.buffer.subarray(0, this.offset));
    this.buffer = Buffer.alloc(IMAGE_CHUNK_SIZE);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.offset = 0;
  }

  u8(value: number): void {
    this.room(1);
    this.buffer[this.offset++] = value;
    this.position++;
  }

  u16(value: number): void {
    this.room(2);
    this.view.setUint16(this.offset, value, true);
    this.offset += 2;
    this.position += 2;
  }

  u32(value: number): void {
    this.room(4);
    this.view.setUint32(this.offset, value >>> 0, true);
    this.offset += 4;
    this.position += 4;
  }

  /** An unsigned 64-bit value given as a number (exact up to 2^53: sizes, counts, nids). */
  u64(value: number): void {
    this.room(8);
    this.view.setUint32(this.offset, value >>> 0, true);
    this.view.setUint32(this.offset + 4, Math.floor(value / 2 ** 32) >>> 0, true);
    this.offset += 8;
    this.position += 8;
  }

  /** A signed 64-bit value (two's complement), e.g. an mtime. */
  i64(value: bigint): void {
    this.room(8);
    this.view.setBigUint64(this.offset, BigInt.asUintN(64, value), true);
    this.offset += 8;
    this.position += 8;
  }

  bytes(data: Uint8Array): void {
    let rest = data;
    while (rest.length > 0) {
      if (this.offset === this.buffer.length) this.flush();
      const n = Math.min(rest.length, this.buffer.length - this.offset);
      this.buffer.set(rest.subarray(0, n), this.offset);
      this.offset += n;
      this.position += n;
      rest = rest.subarray(n);
    }
  }

  /** Appends a byte string (one byte per char). */
  latin1(text: string): void {
    this.room(text.length);
    if (text.length > LATIN1_LOOP_MAX) this.buffer.write(text, this.offset, 'latin1');
    else for (let i = 0; i < text.length; i++) this.buffer[this.offset + i] = text.charCodeAt(i);
    this.offset += text.length;
    this.position += text.length;
  }

  /** Appends `n` bytes of `value` (0 by default). */
  fill(n: number, value = 0): void {
    let left = n;
    while (left > 0) {
      if (this.offset === this.buffer.length) this.flush();
      const k = Math.min(left, this.buffer.length - this.offset);
      this.buffer.fill(value, this.offset, this.offset + k);
      this.offset += k;
      this.position += k;
      left -= k;
    }
  }

  /** Pads with zeros up to a multiple of `align`. */
  align(align: number): void {
    const rem = this.position % align;
    if (rem !== 0) this.fill(align - rem);
  }

  /** Whether a completed chunk is waiting for {@link take}. */
  get ready(): boolean {
    return this.readyChunks.length > 0 || this.offset === this.buffer.length;
  }

  /** Chunks completed since the last call (`final` also hands out the partial one). */
  take(final = false): Uint8Array[] {
    if (final || this.offset === this.buffer.length) this.flush();
    const out = this.readyChunks;
    this.readyChunks = [];
    return out;
  }
}
