import { MetalayerError } from '@metalayer/core';
import type { TreeEntryKind } from '@metalayer/strategy-kit';

const name = 'MetalayerPrivateDirectoryConflictError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * The base image's merged tree already has the path the hidden-whiteout
 * strategy adds and whites out (`/.metalayer`): whiting it out would delete
 * base content, so the merged tree would no longer equal the base.
 */
export class PrivateDirectoryConflictError extends MetalayerError {
  private readonly [symbol] = true;
  /** The image, as `store:reference`. */
  readonly image: string;
  /** The path in the base's merged tree, absolute (`/.metalayer`). */
  readonly path: string;
  /** What the base has there. */
  readonly kind: TreeEntryKind;

  constructor({ image, path, kind, cause }: { image: string; path: string; kind: TreeEntryKind; cause?: unknown }) {
    super({
      name,
      message: `${image}: the merged tree already has ${path} (a ${kind}), the hidden-whiteout private directory; the whiteout layer would delete it, so the booted root would no longer equal the base`,
      cause,
      hint: 'attach with another strategy (kernel-layer, artifact), or rebuild the base without that path',
    });
    this.image = image;
    this.path = path;
    this.kind = kind;
  }

  static override isInstance(error: unknown): error is PrivateDirectoryConflictError {
    return MetalayerError.hasMarker(error, marker);
  }
}
