import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerInvalidReferenceError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** An image reference (`oci:DIR:TAG`, `docker://HOST/REPO:TAG`, a tag or a digest) does not parse. */
export class InvalidReferenceError extends MetalayerError {
  private readonly [symbol] = true;
  /** The reference as given. */
  readonly reference: string;
  /** What is wrong with it. */
  readonly reason: string;

  constructor({
    reference,
    reason,
    message,
    cause,
    hint,
  }: {
    reference: string;
    reason: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message: message ?? `invalid image reference '${reference}': ${reason}`, cause, hint });
    this.reference = reference;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is InvalidReferenceError {
    return MetalayerError.hasMarker(error, marker);
  }
}
