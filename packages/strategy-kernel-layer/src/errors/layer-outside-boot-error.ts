import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerLayerOutsideBootError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A layer marked as a kernel layer writes something outside `/boot` (or a
 * root entry, a `..` component, a whiteout of a top-level path). Such a layer
 * would change the root that boots, so the digest of the layers below it
 * would no longer name that root: metalayer refuses it.
 */
export class LayerOutsideBootError extends MetalayerError {
  private readonly [symbol] = true;
  /** The layer, as `store: layer sha256:…`. */
  readonly layer: string;
  /** The offending tar entry name, as archived. */
  readonly path: string;

  constructor({ layer, path, cause }: { layer: string; path: string; cause?: unknown }) {
    super({
      name,
      message: `${layer}: entry ${JSON.stringify(path)} is outside /boot; a kernel layer may only write below /boot, because anything else changes the root that boots`,
      cause,
      hint: 'rebuild the image with metalayer attach --strategy kernel-layer on the base image',
    });
    this.layer = layer;
    this.path = path;
  }

  static override isInstance(error: unknown): error is LayerOutsideBootError {
    return MetalayerError.hasMarker(error, marker);
  }
}
