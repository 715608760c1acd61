/**
 * Test-only: an in-memory OCI registry on a loopback port implementing the
 * referrers API (distribution-spec v1.1 `OCI-Subject`, `/referrers/<digest>`
 * with `?artifactType=`, `OCI-Filters-Applied`, `Link` paging), optional
 * basic/bearer auth and injectable faults. It stands in for the one path the
 * Debian registry lacks; everything else is tested against the real one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** Options of {@link startFakeRegistry}. */
export interface FakeRegistryOptions {
  /** Serve the referrers API (default true). */
  referrers?: boolean;
  /** Referrers per page before a `Link: rel="next"` (default 100). */
  pageSize?: number;
  auth?: { scheme: 'basic' | 'bearer'; username: string; password: string };
  /** Drop the connection once an upload body has passed this many bytes. */
  dropUploadAfterBytes?: number;
  /** Serve blobs with their last byte flipped. */
  corruptBlobs?: boolean;
  /** Answer this many requests with 503 (then 429 once with Retry-After) before serving. */
  failFirst?: number;
}

/** A running fake registry. */
export interface FakeRegistry {
  host: string;
  /** `METHOD path` of every request served. */
  log: string[];
  blobs: Map<string, Buffer>;
  manifests: Map<string, { type: string; body: Buffer }>;
  stop(): Promise<void>;
}

const INDEX = 'application/vnd.oci.image.index.v1+json';
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const data = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-length': String(data.length), ...headers });
  res.end(data);
}

const error = (res: ServerResponse, status: number, code: string, message: string) =>
  send(res, status, { errors: [{ code, message }] }, { 'content-type': 'application/json' });

/** Starts the fake registry. */
export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, { type: string; body: Buffer }>();
  const tags = new Map<string, string>();
  const uploads = new Map<string, Buffer[]>();
  const tokens = new Set<string>();
  const log: string[] = [];
  let failures = options.failFirst ?? 0;
  let host = '';

  function authorized(req: IncomingMessage, res: ServerResponse, repo: string): boolean {
    const auth = options.auth;
    if (!auth) return true;
    const header = req.headers.authorization ?? '';
    const basic = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    if (auth.scheme === 'basic' ? header === basic : tokens.has(header.replace(/^Bearer /, ''))) return true;
    const challenge =
      auth.scheme === 'basic'
        ? 'Basic realm="fake"'
        : `Bearer realm="http://${host}/token",service="fake-registry",scope="repository:${repo}:pull"`;
    res.setHeader('www-authenticate', challenge);
    error(res, 401, 'UNAUTHORIZED', 'authentication required');
    return false;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    log.push(`${req.method} ${url.pathname}${url.search}`);
    if (failures > 0) {
      failures--;
      return failures === 0 ? send(res, 429, undefined, { 'retry-after': '0' }) : error(res, 503, 'UNAVAILABLE', 'try again');
    }
    if (url.pathname === '/token') {
      const auth = options.auth!;
      if (req.headers.authorization !== `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`)
        return send(res, 401);
      const token = randomUUID();
      tokens.add(token);
      return send(res, 200, { token });
    }
    if (url.pathname === '/v2/' && authorized(req, res, '')) return send(res, 200, {});
    const m = /^\/v2\/(.+?)\/(blobs\/uploads|blobs|manifests|tags|referrers)\/?(.*)$/.exec(url.pathname);
    if (!m) return url.pathname === '/v2/' ? undefined : error(res, 404, 'NOT_FOUND', 'no route');
    const [, repo, kind, rest] = m as unknown as [string, string, string, string];
    if (!authorized(req, res, repo)) return;
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (c: Buffer) => {
      received += c.length;
      if (options.dropUploadAfterBytes !== undefined && kind === 'blobs/uploads' && received > options.dropUploadAfterBytes) {
        req.socket.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => handle(req, res, url, repo, kind, rest, Buffer.concat(chunks)));
  });

  function manifestKey(repo: string, ref: string): string | undefined {
    return ref.startsWith('sha256:') ? (manifests.has(`${repo}@${ref}`) ? `${repo}@${ref}` : undefined) : tags.get(`${repo}:${ref}`);
  }

  function handle(req: IncomingMessage, res: ServerResponse, url: URL, repo: string, kind: string, rest: string, body: Buffer): void {
    const method = req.method ?? 'GET';
    if (kind === 'blobs/uploads') {
      if (method === 'POST') {
        const mount = url.searchParams.get('mount');
        if (mount && blobs.has(mount)) return send(res, 201, undefined, { location: `/v2/${repo}/blobs/${mount}` });
        const digest = url.searchParams.get('digest');
        if (digest) {
          if (sha256(body) !== digest) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
          blobs.set(digest, body);
          return send(res, 201, undefined, { location: `/v2/${repo}/blobs/${digest}` });
        }
        const id = randomUUID();
        uploads.set(id, []);
        return send(res, 202, undefined, { location: `/v2/${repo}/blobs/uploads/${id}?state=x`, range: '0-0' });
      }
      const parts = uploads.get(rest);
      if (!parts) return error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'no such upload');
      if (method === 'DELETE') {
        uploads.delete(rest);
        return send(res, 204);
      }
      parts.push(body);
      if (method === 'PATCH')
        return send(res, 202, undefined, {
          location: `/v2/${repo}/blobs/uploads/${rest}?state=y`,
          range: `0-${Buffer.concat(parts).length - 1}`,
        });
      const all = Buffer.concat(parts);
      const digest = url.searchParams.get('digest') ?? '';
      if (sha256(all) !== digest) return error(res, 400, 'DIGEST_INVALID', `content is ${sha256(all)}`);
      blobs.set(digest, all);
      uploads.delete(rest);
      return send(res, 201, undefined, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest });
    }
    if (kind === 'blobs') {
      const blob = blobs.get(rest);
      if (!blob) return error(res, 404, 'BLOB_UNKNOWN', 'blob unknown');
      if (method === 'HEAD') {
        res.writeHead(200, { 'content-length': String(blob.length) });
        res.end();
        return;
      }
      const out = Buffer.from(blob);
      if (options.corruptBlobs && out.length) out[out.length - 1]! ^= 0xff;
      return send(res, 200, out, { 'content-type': 'application/octet-stream' });
    }
    if (kind === 'manifests') {
      if (method === 'PUT') {
        const digest = sha256(body);
        const type = (req.headers['content-type'] ?? '').split(';')[0]!;
        manifests.set(`${repo}@${digest}`, { type, body });
        if (!rest.startsWith('sha256:')) tags.set(`${repo}:${rest}`, `${repo}@${digest}`);
        const subject = (JSON.parse(body.toString()) as { subject?: { digest: string } }).subject;
        const headers: Record<string, string> = { 'docker-content-digest': digest, location: `/v2/${repo}/manifests/${digest}` };
        if (subject && options.referrers !== false) headers['oci-subject'] = subject.digest;
        return send(res, 201, undefined, headers);
      }
      const key = manifestKey(repo, rest);
      const found = key ? manifests.get(key) : undefined;
      if (!found) return error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      return send(res, 200, method === 'HEAD' ? undefined : found.body, {
        'content-type': found.type,
        'docker-content-digest': sha256(found.body),
      });
    }
    if (kind === 'tags') {
      const list = [...tags.keys()].filter((k) => k.startsWith(`${repo}:`)).map((k) => k.slice(repo.length + 1));
      return send(res, 200, { name: repo, tags: list }, { 'content-type': 'application/json' });
    }
    if (options.referrers === false) return send(res, 404, Buffer.from('404 page not found\n'), { 'content-type': 'text/plain' });
    const wanted = url.searchParams.get('artifactType');
    const all = [...manifests.entries()]
      .filter(([k]) => k.startsWith(`${repo}@`))
      .map(([k, v]) => ({
        digest: k.slice(repo.length + 1),
        ...v,
        doc: JSON.parse(v.body.toString()) as {
          subject?: { digest: string };
          artifactType?: string;
          config?: { mediaType: string };
          annotations?: Record<string, string>;
        },
      }))
      .filter((e) => e.doc.subject?.digest === rest)
      .map((e) => ({
        mediaType: e.type,
        digest: e.digest,
        size: e.body.length,
        artifactType: e.doc.artifactType ?? e.doc.config?.mediaType,
        ...(e.doc.annotations ? { annotations: e.doc.annotations } : {}),
      }))
      .filter((d) => !wanted || d.artifactType === wanted);
    const pageSize = options.pageSize ?? 100;
    const start = Number(url.searchParams.get('page') ?? '0');
    const page = all.slice(start, start + pageSize);
    const headers: Record<string, string> = { 'content-type': INDEX };
    if (wanted) headers['oci-filters-applied'] = 'artifactType';
    if (start + pageSize < all.length) {
      const next = new URLSearchParams(url.searchParams);
      next.set('page', String(start + pageSize));
      headers.link = `</v2/${repo}/referrers/${rest}?${next}>; rel="next"`;
    }
    return send(res, 200, { schemaVersion: 2, mediaType: INDEX, manifests: page }, headers);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    host,
    log,
    blobs,
    manifests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
