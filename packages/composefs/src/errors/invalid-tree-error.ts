import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerInvalidTreeError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** What is wrong with a filesystem tree or a path inside it. */
export type InvalidTreeReason =
  'not-found' | 'exists' | 'not-a-directory' | 'invalid-name' | 'invalid-path' | 'invalid-value' | 'hard-link';

/**
 * A filesystem tree cannot be used as asked: a path does not exist or already
 * exists, a name is not a valid file name, or a value is out of range for a
 * composefs image (with the offending path).
 */
export class InvalidTreeError extends MetalayerError {
  private readonly [symbol] = true;
  readonly reason: InvalidTreeReason;
  /** Printable path of the entry at fault (non-printable bytes escaped). */
  readonly path: string;

  constructor({
    reason,
    path,
    message,
    cause,
    hint,
  }: {
    reason: InvalidTreeReason;
    path: string;
    message: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message: `${path}: ${message}`, cause, hint });
    this.reason = reason;
    this.path = path;
  }

  static override isInstance(error: unknown): error is InvalidTreeError {
    return MetalayerError.hasMarker(error, marker);
  }
}
