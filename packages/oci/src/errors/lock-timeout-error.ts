import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerLockTimeoutError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** Another writer held a layout's `index.json` lock for longer than the wait allowed. */
export class LockTimeoutError extends MetalayerError {
  private readonly [symbol] = true;
  /** The lock file. */
  readonly path: string;
  readonly waitedMs: number;

  constructor({
    path,
    waitedMs,
    message,
    cause,
    hint,
  }: {
    path: string;
    waitedMs: number;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message: message ?? `${path}: still locked by another writer after ${waitedMs} ms`, cause, hint });
    this.path = path;
    this.waitedMs = waitedMs;
  }

  static override isInstance(error: unknown): error is LockTimeoutError {
    return MetalayerError.hasMarker(error, marker);
  }
}
