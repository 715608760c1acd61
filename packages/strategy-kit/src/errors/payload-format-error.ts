import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerPayloadFormatError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A payload found in an image is unusable: a file its marks name is missing,
 * is not a regular file, is too large, or the marks contradict each other.
 */
export class PayloadFormatError extends MetalayerError {
  private readonly [symbol] = true;
  /** The image or blob the payload came from. */
  readonly subject: string;
  readonly reason: string;

  constructor({ subject, reason, cause }: { subject: string; reason: string; cause?: unknown }) {
    super({ name, message: `${subject}: ${reason}`, cause });
    this.subject = subject;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is PayloadFormatError {
    return MetalayerError.hasMarker(error, marker);
  }
}
