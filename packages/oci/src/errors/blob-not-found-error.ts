import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerBlobNotFoundError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** A blob named by a descriptor is not in the store (layout directory or registry repository). */
export class BlobNotFoundError extends MetalayerError {
  private readonly [symbol] = true;
  readonly digest: string;
  /** The store that was asked, e.g. `oci:/srv/img` or `docker://host/repo`. */
  readonly location: string;

  constructor({
    digest,
    location,
    message,
    cause,
    hint,
  }: {
    digest: string;
    location: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message: message ?? `${location}: blob ${digest} not found`, cause, hint });
    this.digest = digest;
    this.location = location;
  }

  static override isInstance(error: unknown): error is BlobNotFoundError {
    return MetalayerError.hasMarker(error, marker);
  }
}
