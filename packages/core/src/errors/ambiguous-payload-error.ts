import { MetalayerError } from './metalayer-error';

const name = 'MetalayerAmbiguousPayloadError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * Several candidate payloads refer to one image and they disagree (different
 * kernels or command lines): metalayer refuses to pick one silently.
 */
export class AmbiguousPayloadError extends MetalayerError {
  private readonly [symbol] = true;
  readonly image: string;
  /** Digests of the candidates (artifact manifests, or images when strategies conflict). */
  readonly candidates: readonly string[];

  constructor({ image, candidates, reason, cause }: { image: string; candidates: readonly string[]; reason: string; cause?: unknown }) {
    super({
      name,
      message: `${image}: ${candidates.length} candidate payloads disagree (${reason}): ${candidates.join(', ')}`,
      cause,
      hint: 'pin one with --artifact DIGEST (or --strategy NAME)',
    });
    this.image = image;
    this.candidates = candidates;
  }

  static override isInstance(error: unknown): error is AmbiguousPayloadError {
    return MetalayerError.hasMarker(error, marker);
  }
}
