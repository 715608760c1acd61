import { MetalayerError } from '@metalayer/core';

const name = 'MetalayerNetworkError';
const marker = `metalayer.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * What went wrong, from the innermost cause: fetch reports "fetch failed" and
 * hides the socket error (`connect ECONNREFUSED 127.0.0.1:5000`) in `cause`.
 */
function describeCause(cause: unknown): string {
  const messages: string[] = [];
  for (let c = cause; c instanceof Error && messages.length < 4; c = c.cause) messages.push(c.message);
  return messages.length ? `: ${messages.join(': ')}` : '';
}

/** A request to a registry failed below HTTP: refused, reset, dropped mid-transfer, timed out. */
export class NetworkError extends MetalayerError {
  private readonly [symbol] = true;
  readonly method: string;
  readonly url: string;

  constructor({ method, url, message, cause, hint }: { method: string; url: string; message?: string; cause?: unknown; hint?: string }) {
    super({
      name,
      message: message ?? `${method} ${url}: network error${describeCause(cause)}`,
      cause,
      hint:
        hint ??
        (url.startsWith('https:') ? 'is the registry up? for a plain-HTTP registry pass --tls-verify=false' : 'is the registry up?'),
    });
    this.method = method;
    this.url = url;
  }

  static override isInstance(error: unknown): error is NetworkError {
    return MetalayerError.hasMarker(error, marker);
  }
}
