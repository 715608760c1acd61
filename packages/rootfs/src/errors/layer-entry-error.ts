import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerLayerEntryError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** Why a tar entry of a layer cannot be applied to the tree. */
export type LayerEntryErrorReason =
  /** A path component's parent does not exist in the tree built so far (composefs-rs NotFound). */
  | 'missing-parent'
  /** A path component that must be a directory is something else (composefs-rs NotADirectory). */
  | 'parent-not-directory'
  /** A hard link names a path that does not exist in the tree built so far. */
  | 'link-target-missing'
  /** A hard link names a directory. */
  | 'link-target-directory'
  /** A hard link names the root or an empty path. */
  | 'link-target-invalid'
  /** The root entry (`./`, `/`) is not a directory. */
  | 'root-not-directory'
  /** A file name composefs cannot store (NUL byte, longer than 255 bytes). */
  | 'invalid-name'
  /** A device number that does not fit the 32 bits composefs stores. */
  | 'invalid-device'
  /** A modification time before 1970 (composefs-rs' tar parser refuses negative times). */
  | 'invalid-mtime'
  /** An overlay whiteout device (char 0:0) that is hard-linked (composefs-rs refuses such trees). */
  | 'whiteout-hard-link';

/**
 * A tar entry of an image layer cannot be applied, naming the layer (index
 * and diff_id), the entry's path and its offset in the uncompressed layer.
 */
export class LayerEntryError extends MetalayerError {
  private readonly [symbol] = true;
  readonly reason: LayerEntryErrorReason;
  /** Position of the layer in `rootfs.diff_ids` (0 = base), or -1 when not tied to one entry. */
  readonly layer: number;
  readonly diffId: string;
  /** Printable path of the entry (as archived). */
  readonly path: string;
  /** Offset of the entry's header in the uncompressed tar stream, or -1. */
  readonly offset: number;

  constructor({
    reason,
    layer,
    diffId,
    path,
    offset,
    message,
    cause,
    hint,
  }: {
    reason: LayerEntryErrorReason;
    layer: number;
    diffId: string;
    path: string;
    offset: number;
    message: string;
    cause?: unknown;
    hint?: string;
  }) {
    const where = layer >= 0 ? `layer ${layer} (${diffId})` : 'image';
    super({ name, message: `${where}: ${path}${offset >= 0 ? ` (tar offset ${offset})` : ''}: ${message}`, cause, hint });
    this.reason = reason;
    this.layer = layer;
    this.diffId = diffId;
    this.path = path;
    this.offset = offset;
  }

  static override isInstance(error: unknown): error is LayerEntryError {
    return MetalayerError.hasMarker(error, marker);
  }
}
