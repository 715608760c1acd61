import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerLayerReadError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A layer's tar stream could not be read (malformed or truncated tar,
 * unsupported entry type, unsupported compression); the cause says why.
 */
export class LayerReadError extends MetalayerError {
  private readonly [symbol] = true;
  /** Position of the layer in `rootfs.diff_ids` (0 = base). */
  readonly layer: number;
  readonly diffId: string;
  /** The layer blob's digest as stored. */
  readonly blob: string;

  constructor({ layer, diffId, blob, cause }: { layer: number; diffId: string; blob: string; cause: unknown }) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super({ name, message: `layer ${layer} (${diffId}, blob ${blob}): ${detail}`, cause });
    this.layer = layer;
    this.diffId = diffId;
    this.blob = blob;
  }

  static override isInstance(error: unknown): error is LayerReadError {
    return MetalayerError.hasMarker(error, marker);
  }
}
