import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerRegistryError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/** A registry answered with an error status; carries the first error of its `{'errors':[…]}` body. */
export class RegistryError extends MetalayerError {
  private readonly [symbol] = true;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** Distribution-spec error code, e.g. `MANIFEST_BLOB_UNKNOWN`, or empty when the body had none. */
  readonly code: string;
  /** The registry's own message, or the start of a non-JSON body. */
  readonly registryMessage: string;

  constructor({
    method,
    url,
    status,
    code = '',
    registryMessage = '',
    message,
    cause,
    hint,
  }: {
    method: string;
    url: string;
    status: number;
    code?: string;
    registryMessage?: string;
    message?: string;
    cause?: unknown;
    hint?: string;
  }) {
    super({
      name,
      message: message ?? `${method} ${url}: ${status}${code ? ` ${code}` : ''}${registryMessage ? `: ${registryMessage}` : ''}`,
      cause,
      hint,
    });
    this.method = method;
    this.url = url;
    this.status = status;
    this.code = code;
    this.registryMessage = registryMessage;
  }

  static override isInstance(error: unknown): error is RegistryError {
    return MetalayerError.hasMarker(error, marker);
  }
}
