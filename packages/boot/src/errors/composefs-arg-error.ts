import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerComposefsArgError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A `composefs=` or `composefs.digest=` kernel argument that composefs
 * setup-root would reject: unknown format version, unsupported block size,
 * hex of the wrong length.
 */
export class ComposefsArgError extends MetalayerError {
  private readonly [symbol] = true;
  /** The offending argument as written, e.g. `composefs.digest=v1-sha256-8:ab`. */
  readonly argument: string;

  constructor({ argument, message, cause }: { argument: string; message: string; cause?: unknown }) {
    super({
      name,
      message: `kernel argument ${JSON.stringify(argument)}: ${message}`,
      cause,
      hint: 'expected composefs.digest=[?]v1|v2-sha256|sha512-12:<hex> or composefs=[?]<64 or 128 hex digits>',
    });
    this.argument = argument;
  }

  static override isInstance(error: unknown): error is ComposefsArgError {
    return MetalayerError.hasMarker(error, marker);
  }
}
