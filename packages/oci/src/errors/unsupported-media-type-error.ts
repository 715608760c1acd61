import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerUnsupportedMediaTypeError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** Content has a media type this operation cannot handle (e.g. a layer compression we cannot decode). */
export class UnsupportedMediaTypeError extends MetalayerError {
  private readonly [symbol] = true;
  readonly mediaType: string;
  /** What was being processed, e.g. `layer sha256:…`. */
  readonly subject: string;

  constructor({
    mediaType,
    subject,
    message,
    cause,
    hint,
  }: {
    mediaType: string;
    subject: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message: message ?? `${subject}: unsupported media type ${mediaType}`, cause, hint });
    this.mediaType = mediaType;
    this.subject = subject;
  }

  static override isInstance(error: unknown): error is UnsupportedMediaTypeError {
    return MetalayerError.hasMarker(error, marker);
  }
}
