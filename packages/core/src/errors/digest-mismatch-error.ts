import { MetalayerError } from './metalayer-error';

const name = 'MetalayerDigestMismatchError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** Content did not hash to the digest it was named or announced by. */
export class DigestMismatchError extends MetalayerError {
  private readonly [symbol] = true;
  /** What was checked, e.g. a blob path, `diff_id of layer 2`, or `UKI command line`. */
  readonly subject: string;
  readonly expected: string;
  readonly actual: string;

  constructor({
    subject,
    expected,
    actual,
    message,
    cause,
    hint,
  }: {
    subject: string;
    expected: string;
    actual: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({
      name,
      message: message ?? `${subject}: digest mismatch: expected ${expected}, got ${actual}`,
      cause,
      hint,
    });
    this.subject = subject;
    this.expected = expected;
    this.actual = actual;
  }

  static override isInstance(error: unknown): error is DigestMismatchError {
    return MetalayerError.hasMarker(error, marker);
  }
}
