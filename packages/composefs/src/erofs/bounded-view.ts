import { LimitExceededError } from '@metalayer/core';
import { ErofsFormatError } from '../errors/erofs-format-error';

/**
 * Bounds-checked little-endian reads over an image held in memory: every
 * access names its field, and reading past the end throws ErofsFormatError
 * instead of a RangeError.
 */
export class BoundedView {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws unless [offset, offset + size) lies inside the image. */
  check(offset: number, size: number, field: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || size < 0 || offset + size > this.bytes.length) {
      throw new ErofsFormatError({
        offset: Number.isSafeInteger(offset) ? offset : -1,
        field,
        message: `${size} bytes at offset ${offset} run past the end of the image (${this.bytes.length} bytes)`,
      });
    }
  }

  u8(offset: number, field: string): number {
    this.check(offset, 1, field);
    return this.bytes[offset]!;
  }

  u16(offset: number, field: string): number {
    this.check(offset, 2, field);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, field: string): number {
    this.check(offset, 4, field);
    return this.view.getUint32(offset, true);
  }

  u64(offset: number, field: string): bigint {
    this.check(offset, 8, field);
    return this.view.getBigUint64(offset, true);
  }

  /** A view of `size` bytes (not a copy). */
  slice(offset: number, size: number, field: string): Uint8Array {
    this.check(offset, size, field);
    return this.bytes.subarray(offset, offset + size);
  }

  /** Throws a format error at `offset`. */
  fail(offset: number, field: string, message: string): never {
    throw new ErofsFormatError({ offset, field, message });
  }

  /** Throws LimitExceededError unless `actual <= maximum`. */
  limit(actual: number | bigint, maximum: number, limit: string, offset: number, field: string): void {
    if (actual > maximum) {
      throw new LimitExceededError({ limit, maximum, actual, subject: `EROFS image offset ${offset} (${field})` });
    }
  }
}
