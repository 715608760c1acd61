import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerTarFormatError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** A tar stream is malformed: bad checksum, truncated entry, bad numeric field, unsupported entry type. */
export class TarFormatError extends MetalayerError {
  private readonly [symbol] = true;
  /** Byte offset of the header or record at fault in the uncompressed tar stream. */
  readonly offset: number;
  /** The header field or PAX keyword at fault, or empty. */
  readonly field: string;
  readonly reason: string;

  constructor({
    offset,
    field = '',
    reason,
    message,
    cause,
    hint,
  }: {
    offset: number;
    field?: string;
    reason: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message: message ?? `tar: offset ${offset}${field ? ` (${field})` : ''}: ${reason}`, cause, hint });
    this.offset = offset;
    this.field = field;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is TarFormatError {
    return MetalayerError.hasMarker(error, marker);
  }
}
