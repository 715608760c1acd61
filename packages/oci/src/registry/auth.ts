import { NetworkError, RegistryError } from '../errors/index';

/** Credentials for a registry (`--creds USER:PASS`). */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** One `WWW-Authenticate` challenge (RFC 7235): scheme plus auth-params. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` header value. Registries send one challenge
 * (`Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`); quoted
 * strings may contain commas, so this is a small tokenizer, not a split.
 */
export function parseAuthChallenge(header: string): AuthChallenge | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9._~+/-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9._~+/-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,\s*)?/gy;
  const rest = match[2] ?? '';
  let m: RegExpExecArray | null;
  while ((m = re.exec(rest)) !== null && m[0] !== '') {
    params[(m[1] as string).toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { scheme: (match[1] as string).toLowerCase(), params };
}

/** `Authorization: Basic …` for credentials. */
export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/**
 * Fetches a bearer token from the challenge's realm (distribution "Token
 * Authentication Specification"): `GET realm?service=…&scope=…`, with basic
 * credentials when we have them (anonymous pull otherwise).
 */
export async function fetchBearerToken(
  challenge: AuthChallenge,
  scopes: readonly string[],
  credentials: RegistryCredentials | undefined,
  signal?: AbortSignal,
): Promise<string> {
  const realm = challenge.params.realm;
  if (!realm)
    throw new RegistryError({ method: 'GET', url: '(token realm)', status: 401, registryMessage: 'Bearer challenge without realm' });
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (credentials) headers.authorization = basicAuthorization(credentials);
  let response: Response;
  try {
    response = await fetch(url, { headers, signal });
  } catch (error) {
    throw new NetworkError({ method: 'GET', url: url.toString(), cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new RegistryError({
      method: 'GET',
      url: url.toString(),
      status: response.status,
      registryMessage: `token request refused: ${text.slice(0, 200)}`,
      hint: credentials ? 'check the credentials' : 'the registry needs credentials (--creds USER:PASS)',
    });
  }
  let token: unknown;
  try {
    const body = JSON.parse(text) as { token?: unknown; access_token?: unknown };
    token = body.token ?? body.access_token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') {
    throw new RegistryError({
      method: 'GET',
      url: url.toString(),
      status: response.status,
      registryMessage: 'token response has no token',
    });
  }
  return token;
}
