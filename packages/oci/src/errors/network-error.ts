import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerNetworkError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** A request to a registry failed below HTTP: refused, reset, dropped mid-transfer, timed out. */
export class NetworkError extends MetalayerError {
  private readonly [symbol] = true;
  readonly method: string;
  readonly url: string;

  constructor({
    method,
    url,
    message,
    cause,
    hint,
  }: {
    method: string;
    url: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({ name, message: message ?? `${method} ${url}: network error${cause instanceof Error ? `: ${cause.message}` : ''}`, cause, hint });
    this.method = method;
    this.url = url;
  }

  static override isInstance(error: unknown): error is NetworkError {
    return MetalayerError.hasMarker(error, marker);
  }
}
