import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerBootLayoutError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * `$BOOT` is not in a state install-kernel may write to: a foreign
 * `loader/entries.srel`, a directory where a file must go, no entry token
 * can be derived, the layout cannot be decided.
 */
export class BootLayoutError extends MetalayerError {
  private readonly [symbol] = true;
  /** The `$BOOT` directory concerned. */
  readonly bootRoot: string;

  constructor({ bootRoot, message, cause, hint }: { bootRoot: string; message: string; cause?: unknown; hint?: string }) {
    super({ name, message: `${bootRoot}: ${message}`, cause, hint });
    this.bootRoot = bootRoot;
  }

  static override isInstance(error: unknown): error is BootLayoutError {
    return MetalayerError.hasMarker(error, marker);
  }
}
