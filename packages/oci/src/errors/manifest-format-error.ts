import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerManifestFormatError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** A manifest, index or config is not valid JSON or misses a required field. */
export class ManifestFormatError extends MetalayerError {
  private readonly [symbol] = true;
  /** What was parsed, e.g. `manifest sha256:… from docker://host/repo`. */
  readonly subject: string;
  /** The field at fault (`layers[2].digest`), or empty when the JSON itself is broken. */
  readonly field: string;
  readonly reason: string;

  constructor({
    subject,
    field = '',
    reason,
    message,
    cause,
    hint,
  }: {
    subject: string;
    field?: string;
    reason: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message: message ?? `${subject}: ${field ? `${field}: ` : ''}${reason}`, cause, hint });
    this.subject = subject;
    this.field = field;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is ManifestFormatError {
    return MetalayerError.hasMarker(error, marker);
  }
}
