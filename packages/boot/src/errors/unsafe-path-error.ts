import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerUnsafePathError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A path or file name that would leave `$BOOT` or break its rules: `..`,
 * an absolute name where a relative one is required, a symlink inside
 * `$BOOT`, characters outside the Boot Loader Specification's file name set.
 */
export class UnsafePathError extends MetalayerError {
  private readonly [symbol] = true;
  /** The path or name as given. */
  readonly path: string;
  /** What it was used for, e.g. `entry token`, `kernel version`, `initrd name`, `$BOOT path`. */
  readonly role: string;

  constructor({ path, role, message, cause, hint }: { path: string; role: string; message: string; cause?: unknown; hint?: string }) {
    super({ name, message: `${role} ${JSON.stringify(path)}: ${message}`, cause, hint });
    this.path = path;
    this.role = role;
  }

  static override isInstance(error: unknown): error is UnsafePathError {
    return MetalayerError.hasMarker(error, marker);
  }
}
