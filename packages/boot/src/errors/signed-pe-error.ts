import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerSignedPeError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * Refusal to modify a PE that carries an Authenticode signature: any change
 * invalidates it, and silently dropping it would turn a sealed UKI into an
 * unsealed one.
 */
export class SignedPeError extends MetalayerError {
  private readonly [symbol] = true;
  /** The signed file. */
  readonly subject: string;
  /** What was about to be done, e.g. `rewrite .cmdline`. */
  readonly operation: string;

  constructor({
    subject,
    operation,
    message,
    cause,
    hint,
  }: {
    subject: string;
    operation: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({
      name,
      message:
        message ??
        `${subject} is signed (Authenticode certificate table present); refusing to ${operation} because the change would invalidate the signature`,
      cause,
      hint:
        hint ??
        'rebuild the UKI from its unsigned parts, or start from the unsigned UKI and pass --sign-key/--sign-cert to sign the result again (sbattach --remove strips a signature if you accept losing it)',
    });
    this.subject = subject;
    this.operation = operation;
  }

  static override isInstance(error: unknown): error is SignedPeError {
    return MetalayerError.hasMarker(error, marker);
  }
}
