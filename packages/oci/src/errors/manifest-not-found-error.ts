import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerManifestNotFoundError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** A tag or manifest digest does not resolve in the store, or names a manifest whose blob is missing. */
export class ManifestNotFoundError extends MetalayerError {
  private readonly [symbol] = true;
  /** The tag or digest asked for. */
  readonly reference: string;
  readonly location: string;

  constructor({
    reference,
    location,
    message,
    cause,
    hint,
  }: {
    reference: string;
    location: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message: message ?? `${location}: manifest ${reference} not found`, cause, hint });
    this.reference = reference;
    this.location = location;
  }

  static override isInstance(error: unknown): error is ManifestNotFoundError {
    return MetalayerError.hasMarker(error, marker);
  }
}
