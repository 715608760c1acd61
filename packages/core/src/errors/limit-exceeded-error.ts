import { MetalayerError } from './metalayer-error';

const name = 'MetalayerLimitExceededError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * Untrusted input announced a size or count above a named hard limit
 * (for example a 4 GiB PE section or a 100 MiB JSON manifest).
 */
export class LimitExceededError extends MetalayerError {
  private readonly [symbol] = true;
  /** The limit's name as declared in code, e.g. `MAX_MANIFEST_SIZE`. */
  readonly limit: string;
  readonly maximum: number | bigint;
  readonly actual: number | bigint;
  /** Where the value came from (file, path, field). */
  readonly subject: string;

  constructor({
    limit,
    maximum,
    actual,
    subject,
    cause,
  }: {
    limit: string;
    maximum: number | bigint;
    actual: number | bigint;
    subject: string;
    cause?: unknown;
  }) {
    super({
      name,
      message: `${subject}: ${actual} exceeds ${limit} (${maximum})`,
      cause,
    });
    this.limit = limit;
    this.maximum = maximum;
    this.actual = actual;
    this.subject = subject;
  }

  static override isInstance(error: unknown): error is LimitExceededError {
    return MetalayerError.hasMarker(error, marker);
  }
}
