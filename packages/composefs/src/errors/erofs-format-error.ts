import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerErofsFormatError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A composefs EROFS image is corrupt or not one this reader understands:
 * names the byte offset and the structure field that failed a check.
 */
export class ErofsFormatError extends MetalayerError {
  private readonly [symbol] = true;
  /** Byte offset in the image of the value at fault. */
  readonly offset: number;
  /** Structure and field, e.g. `superblock.magic` or `dirent.nameoff`. */
  readonly field: string;

  constructor({ offset, field, message, cause, hint }: { offset: number; field: string; message: string; cause?: unknown; hint?: string }) {
    super({ name, message: `EROFS image offset ${offset} (${field}): ${message}`, cause, hint });
    this.offset = offset;
    this.field = field;
  }

  static override isInstance(error: unknown): error is ErofsFormatError {
    return MetalayerError.hasMarker(error, marker);
  }
}
