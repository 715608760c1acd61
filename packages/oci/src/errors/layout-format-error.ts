import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerLayoutFormatError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** An OCI image layout is malformed: missing or unreadable `oci-layout`, a torn or invalid `index.json`. */
export class LayoutFormatError extends MetalayerError {
  private readonly [symbol] = true;
  /** The file at fault. */
  readonly path: string;
  readonly reason: string;

  constructor({ path, reason, message, cause, hint }: { path: string; reason: string; message?: string; cause?: unknown; hint?: string }) {
    super({ name, message: message ?? `${path}: ${reason}`, cause, hint });
    this.path = path;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is LayoutFormatError {
    return MetalayerError.hasMarker(error, marker);
  }
}
