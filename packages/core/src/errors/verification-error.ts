import { MetalayerError } from './metalayer-error';

const name = 'MetalayerVerificationError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * The chain payload → command-line digest → recomputed digest of the booted
 * root is broken: the kernel would boot (or refuse to boot) something else.
 */
export class VerificationError extends MetalayerError {
  private readonly [symbol] = true;
  readonly image: string;
  /** The digest recomputed from the image (what the command line must name). */
  readonly expected: string;
  /** What the payload's command line names (empty when it names nothing). */
  readonly actual: readonly string[];

  constructor({
    image,
    expected,
    actual,
    reason,
    cause,
    hint,
  }: {
    image: string;
    expected: string;
    actual: readonly string[];
    reason: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({
      name,
      message: `${image}: ${reason}: the command line names ${actual.length ? actual.join(', ') : 'no composefs digest'}, the image's bootable digest is ${expected}`,
      cause,
      hint: hint ?? 're-attach the kernel to this image (metalayer attach) so its command line names the right digest',
    });
    this.image = image;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is VerificationError {
    return MetalayerError.hasMarker(error, marker);
  }
}
