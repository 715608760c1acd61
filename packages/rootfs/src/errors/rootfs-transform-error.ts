import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerRootfsTransformError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A canonical or bootable transform cannot run because a top-level
 * directory it needs is missing or not a directory (`/usr` for every image;
 * `/boot` and `/sysroot` for `--bootable`; `/run` must be a directory when present).
 */
export class RootfsTransformError extends MetalayerError {
  private readonly [symbol] = true;
  readonly transform: 'oci' | 'bootable';
  /** The directory at fault, e.g. `/sysroot`. */
  readonly path: string;
  readonly problem: 'missing' | 'not-a-directory';

  constructor({
    transform,
    path,
    problem,
    hint,
  }: {
    transform: 'oci' | 'bootable';
    path: string;
    problem: 'missing' | 'not-a-directory';
    hint?: string;
  }) {
    const what = transform === 'oci' ? 'the OCI canonical transform' : 'the bootable transform';
    super({
      name,
      message: `${path} ${problem === 'missing' ? 'is missing' : 'is not a directory'}: ${what} needs it (as composefs-rs does)`,
      hint,
    });
    this.transform = transform;
    this.path = path;
    this.problem = problem;
  }

  static override isInstance(error: unknown): error is RootfsTransformError {
    return MetalayerError.hasMarker(error, marker);
  }
}
