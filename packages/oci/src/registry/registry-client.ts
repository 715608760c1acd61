import { setTimeout as sleep } from 'node:timers/promises';
import { MetalayerError } from '@metalayer/core';
import { NetworkError, RegistryError } from '../errors/index';
import { MAX_ERROR_BODY_SIZE } from '../limits';
import { streamRequest } from './stream-request';
import { basicAuthorization, fetchBearerToken, parseAuthChallenge, type RegistryCredentials } from './auth';

/** How to reach the registry: `https`, `http`, or `auto` (https, falling back to http when https fails). */
export type RegistryScheme = 'https' | 'http' | 'auto';

/** Options of {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** `host[:port]`. */
  registry: string;
  /** Default `https`; skopeo's `--tls-verify=false` corresponds to `auto`. */
  scheme?: RegistryScheme;
  credentials?: RegistryCredentials;
  /** Retries of requests answered 429/5xx or failing at the network level (default 4). */
  retries?: number;
  /** First backoff delay in ms, doubled per retry (default 250). */
  backoffMs?: number;
}

/** A request through {@link RegistryClient.request}. */
export interface RegistryRequest {
  method: string;
  /** Path (`/v2/…`) or absolute URL (upload `Location`s). */
  path: string;
  /** Token scope, e.g. `repository:a/b:pull,push`. */
  scope?: string;
  headers?: Record<string, string>;
  /** Streams cannot be replayed: requests with one are never retried or re-sent after a 401. */
  body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Statuses that are not errors (default: any 2xx). 404 etc. can be accepted to inspect them. */
  accept?: readonly number[];
  signal?: AbortSignal;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 10_000;

/** Reads a registry error body (`{"errors":[{"code","message","detail"}]}`) into a {@link RegistryError}. */
export async function registryError(response: Response, method: string, url: string): Promise<RegistryError> {
  let text = '';
  try {
    const reader = response.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (reader && size < MAX_ERROR_BODY_SIZE) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
    await reader?.cancel().catch(() => undefined);
    text = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_SIZE).toString('utf8');
  } catch {
    // the body is only decoration
  }
  let code = '';
  let message = text.trim().slice(0, 200);
  try {
    const first = (JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown; detail?: unknown }> }).errors?.[0];
    if (first) {
      code = typeof first.code === 'string' ? first.code : '';
      const detail = first.detail === undefined ? '' : ` (${JSON.stringify(first.detail).slice(0, 200)})`;
      message = `${typeof first.message === 'string' ? first.message : ''}${detail}`;
    }
  } catch {
    // not JSON: keep the text
  }
  return new RegistryError({ method, url, status: response.status, code, registryMessage: message });
}

/**
 * An HTTP client for one registry (distribution spec v1.1) on built-in
 * `fetch`: scheme detection, anonymous/basic/bearer auth via the
 * `WWW-Authenticate` challenge, retries with backoff on 429/5xx.
 */
export class RegistryClient {
  readonly registry: string;
  readonly #options: RegistryClientOptions;
  #base: Promise<string> | undefined;
  readonly #tokens = new Map<string, string>();
  #basic = false;

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.#options = options;
  }

  /** `https://host` or `http://host`, probing once in `auto` mode. */
  baseUrl(signal?: AbortSignal): Promise<string> {
    const scheme = this.#options.scheme ?? 'https';
    if (scheme !== 'auto') return Promise.resolve(`${scheme}://${this.registry}`);
    this.#base ??= (async () => {
      try {
        await fetch(`https://${this.registry}/v2/`, { method: 'GET', signal });
        return `https://${this.registry}`;
      } catch {
        return `http://${this.registry}`;
      }
    })();
    return this.#base;
  }

  /**
   * `GET /v2/`: checks the registry speaks the distribution API and that our
   * credentials (if any) are accepted, going through the auth challenge.
   */
  async ping(signal?: AbortSignal): Promise<void> {
    const response = await this.request({ method: 'GET', path: '/v2/', ...(signal ? { signal } : {}) });
    await response.body?.cancel();
  }

  #authorization(scope: string | undefined): string | undefined {
    const token = this.#tokens.get(scope ?? '') ?? this.#tokens.get('');
    if (token) return `Bearer ${token}`;
    if (this.#basic && this.#options.credentials) return basicAuthorization(this.#options.credentials);
    return undefined;
  }

  /** Sends a request; returns the response (body unread) or throws a typed error. */
  async request(req: RegistryRequest): Promise<Response> {
    const url = req.path.startsWith('http') ? req.path : `${await this.baseUrl(req.signal)}${req.path}`;
    const replayable = !(req.body && !(req.body instanceof Uint8Array));
    const retries = replayable ? (this.#options.retries ?? 4) : 0;
    let authRetried = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...req.headers };
      const authorization = this.#authorization(req.scope);
      if (authorization) headers.authorization = authorization;
      let response: Response;
      try {
        response = replayable
          ? await fetch(url, {
              method: req.method,
              headers,
              body: req.body as Uint8Array | undefined,
              signal: req.signal,
              redirect: 'follow',
            })
          : await streamRequest(url, req.method, headers, req.body as AsyncIterable<Uint8Array>, req.signal);
      } catch (error) {
        if (req.signal?.aborted) throw error;
        // A failed verification of a streamed request body is the source's error, not the network's.
        if (MetalayerError.isInstance(error)) throw error;
        if (MetalayerError.isInstance((error as Error).cause)) throw (error as Error).cause;
        if (attempt < retries) {
          await sleep(this.#delay(attempt), undefined, { signal: req.signal });
          continue;
        }
        throw new NetworkError({ method: req.method, url, cause: error });
      }
      if (response.status === 401 && !authRetried && replayable) {
        const challenge = parseAuthChallenge(response.headers.get('www-authenticate') ?? '');
        await response.body?.cancel().catch(() => undefined);
        authRetried = true;
        if (challenge?.scheme === 'bearer') {
          const scopes = [challenge.params.scope, req.scope].filter((s): s is string => Boolean(s));
          this.#tokens.set(req.scope ?? '', await fetchBearerToken(challenge, [...new Set(scopes)], this.#options.credentials, req.signal));
          continue;
        }
        if (challenge?.scheme === 'basic' && this.#options.credentials) {
          this.#basic = true;
          continue;
        }
        throw new RegistryError({
          method: req.method,
          url,
          status: 401,
          registryMessage: 'authentication required',
          hint: 'pass credentials (--src-creds/--dest-creds USER:PASS)',
        });
      }
      if (RETRY_STATUSES.has(response.status) && attempt < retries) {
        const retryAfter = Number(response.headers.get('retry-after'));
        await response.body?.cancel().catch(() => undefined);
        const delay =
          Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS) : this.#delay(attempt);
        await sleep(delay, undefined, { signal: req.signal });
        continue;
      }
      const ok = req.accept ? req.accept.includes(response.status) : response.ok;
      if (!ok) throw await registryError(response, req.method, url);
      return response;
    }
  }

  #delay(attempt: number): number {
    const base = this.#options.backoffMs ?? 250;
    return base * 2 ** attempt * (0.75 + Math.random() / 2);
  }
}
