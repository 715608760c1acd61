const MARKER = 'metalayer.error';
const SYMBOL = Symbol.for(MARKER);

/** Options every metalayer error accepts. */
export interface MetalayerErrorOptions {
  /** Stable error name, e.g. `MetalayerDigestMismatchError`; used by the CLI to pick an exit code. */
  name: string;
  message: string;
  /** The error this one wraps, if any. */
  cause?: unknown;
  /** A one-line suggestion for the user, printed by the CLI under the message. */
  hint?: string;
}

/**
 * Base class of every error metalayer throws on purpose.
 *
 * Checks use the `Symbol.for` marker instead of `instanceof`, so they keep
 * working when two copies of a package are installed side by side.
 */
export class MetalayerError extends Error {
  private readonly [SYMBOL] = true;
  readonly hint: string | undefined;

  constructor({ name, message, cause, hint }: MetalayerErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
    this.hint = hint;
  }

  /** True for any metalayer error, whichever copy of `@metalayer/core` created it. */
  static isInstance(error: unknown): error is MetalayerError {
    return MetalayerError.hasMarker(error, MARKER);
  }

  /** True when `error` carries the given marker; subclasses use this for their own `isInstance`. */
  protected static hasMarker(error: unknown, marker: string): boolean {
    const symbol = Symbol.for(marker);
    return error != null && typeof error === 'object' && symbol in error && (error as Record<symbol, unknown>)[symbol] === true;
  }
}
