import { MetalayerError } from './metalayer-error';

const name = 'MetalayerAlreadyAttachedError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** Attaching to an image that already carries a (different) payload of the strategy. */
export class AlreadyAttachedError extends MetalayerError {
  private readonly [symbol] = true;
  readonly image: string;
  readonly strategy: string;
  /** What marks the existing payload (layer diff_id, artifact digest). */
  readonly existing: string;

  constructor({ image, strategy, existing, cause }: { image: string; strategy: string; existing: string; cause?: unknown }) {
    super({
      name,
      message: `${image} already carries a ${strategy} payload (${existing})`,
      cause,
      hint: 'attach to the base image instead, or verify the existing payload with metalayer verify',
    });
    this.image = image;
    this.strategy = strategy;
    this.existing = existing;
  }

  static override isInstance(error: unknown): error is AlreadyAttachedError {
    return MetalayerError.hasMarker(error, marker);
  }
}
