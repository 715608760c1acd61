import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerPrivateDirectoryConflictError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * The base image already uses the path the hidden-whiteout strategy adds and
 * whites out (`/.metalayer`): whiting it out would delete base content, so the
 * merged tree would no longer equal the base.
 */
export class PrivateDirectoryConflictError extends MetalayerError {
  private readonly [symbol] = true;
  /** The image, as `store:reference`. */
  readonly image: string;
  /** The layer (descriptor digest) whose entry uses the path. */
  readonly layer: string;
  /** The entry's path inside that layer. */
  readonly path: string;

  constructor({ image, layer, path, cause }: { image: string; layer: string; path: string; cause?: unknown }) {
    super({
      name,
      message: `${image}: layer ${layer} has an entry ${JSON.stringify(path)}, inside the hidden-whiteout private directory`,
      cause,
      hint: 'attach with another strategy (kernel-layer, artifact), or rebuild the base without that path',
    });
    this.image = image;
    this.layer = layer;
    this.path = path;
  }

  static override isInstance(error: unknown): error is PrivateDirectoryConflictError {
    return MetalayerError.hasMarker(error, marker);
  }
}
