import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerPathTraversalError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A layer entry's path or hard-link target has a `..` component: it could
 * name something outside the image's root, so the layer is refused.
 */
export class PathTraversalError extends MetalayerError {
  private readonly [symbol] = true;
  /** Position of the layer in `rootfs.diff_ids` (0 = base). */
  readonly layer: number;
  readonly diffId: string;
  /** Printable path of the entry, as archived. */
  readonly path: string;
  /** `path` for the entry's own name, `linkname` for a hard-link target. */
  readonly field: 'path' | 'linkname';
  /** The offending value (printable). */
  readonly value: string;
  /** Offset of the entry's header in the uncompressed tar stream. */
  readonly offset: number;

  constructor({
    layer,
    diffId,
    path,
    field,
    value,
    offset,
  }: {
    layer: number;
    diffId: string;
    path: string;
    field: 'path' | 'linkname';
    value: string;
    offset: number;
  }) {
    super({
      name,
      message: `layer ${layer} (${diffId}): ${path} (tar offset ${offset}): ${field === 'path' ? 'path' : `hard-link target '${value}'`} has a '..' component`,
      hint: 'the layer tries to reach outside the image root; it was refused',
    });
    this.layer = layer;
    this.diffId = diffId;
    this.path = path;
    this.field = field;
    this.value = value;
    this.offset = offset;
  }

  static override isInstance(error: unknown): error is PathTraversalError {
    return MetalayerError.hasMarker(error, marker);
  }
}
