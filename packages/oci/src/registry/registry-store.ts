import { LimitExceededError, DigestMismatchError } from '@metalayer/core';
import { BlobNotFoundError, ManifestNotFoundError, RegistryError } from '../errors/index';
import { collectBytes, digestOf, isDigest, verifyBytes, verifyStream } from '../digest';
import { MAX_CONFIG_SIZE, MAX_MANIFEST_SIZE } from '../limits';
import { MANIFEST_MEDIA_TYPES } from '../media-types';
import { parseManifest, subjectOf } from '../parse-json';
import type {
  BlobInfo,
  ImageStore,
  ListReferrersOptions,
  OpenBlobOptions,
  PutBlobOptions,
  PutManifestOptions,
  StoredManifest,
} from '@metalayer/core';
import type { Descriptor } from '@metalayer/core';
import { listRegistryReferrers, registerReferrer } from './referrers';
import { registryError, type RegistryClient } from './registry-client';
import { uploadBlob } from './upload';

/** A response body as an async byte stream. */
export async function* responseBody(response: Response): AsyncGenerator<Uint8Array> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** A repository in a registry as an {@link ImageStore}. */
export class RegistryStore implements ImageStore {
  readonly kind = 'registry' as const;
  readonly location: string;
  readonly client: RegistryClient;
  readonly repository: string;
  /** Whether the registry serves the referrers API for this repository (`undefined` until known). */
  referrersApi: boolean | undefined;
  /** Blob uploads larger than this go in PATCH chunks when their digest is unknown (default 16 MiB). */
  chunkSize = 16 * 1024 * 1024;

  constructor(client: RegistryClient, repository: string) {
    this.client = client;
    this.repository = repository;
    this.location = `docker://${client.registry}/${repository}`;
  }

  /** Token scope for this repository. */
  scope(push = false): string {
    return `repository:${this.repository}:${push ? 'pull,push' : 'pull'}`;
  }

  async statBlob(digest: string, signal?: AbortSignal): Promise<number | undefined> {
    const response = await this.client.request({
      method: 'HEAD',
      path: `/v2/${this.repository}/blobs/${digest}`,
      scope: this.scope(),
      accept: [200, 404],
      signal,
    });
    if (response.status === 404) return undefined;
    const length = Number(response.headers.get('content-length'));
    return Number.isSafeInteger(length) ? length : undefined;
  }

  async *#fetchBlob(digest: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const response = await this.client.request({
      method: 'GET',
      path: `/v2/${this.repository}/blobs/${digest}`,
      scope: this.scope(),
      headers: { 'accept-encoding': 'identity' },
      accept: [200, 404],
      signal,
    });
    if (response.status === 404) {
      await response.body?.cancel();
      throw new BlobNotFoundError({ digest, location: this.location });
    }
    yield* responseBody(response);
  }

  openBlob(descriptor: BlobInfo, signal?: AbortSignal, options: OpenBlobOptions = {}): AsyncIterable<Uint8Array> {
    return verifyStream(
      this.#fetchBlob(descriptor.digest, signal),
      descriptor,
      `${this.location}: blob ${descriptor.digest}`,
      options.hasher,
    );
  }

  async readBlob(descriptor: BlobInfo, maxSize = MAX_CONFIG_SIZE, signal?: AbortSignal): Promise<Uint8Array> {
    const subject = `${this.location}: blob ${descriptor.digest}`;
    if (descriptor.size > maxSize) throw new LimitExceededError({ limit: 'maxSize', maximum: maxSize, actual: descriptor.size, subject });
    return collectBytes(
      this.openBlob(descriptor, signal),
      maxSize,
      (actual) => new LimitExceededError({ limit: 'maxSize', maximum: maxSize, actual, subject }),
    );
  }

  putBlob(content: Uint8Array | AsyncIterable<Uint8Array>, options: PutBlobOptions = {}): Promise<BlobInfo> {
    return uploadBlob(this, content, options);
  }

  /** Cross-repository mount (`POST …/uploads/?mount=&from=`); true when the registry mounted it. */
  async mountBlob(digest: string, fromRepository: string, signal?: AbortSignal): Promise<boolean> {
    const query = new URLSearchParams({ mount: digest, from: fromRepository });
    const response = await this.client.request({
      method: 'POST',
      path: `/v2/${this.repository}/blobs/uploads/?${query}`,
      scope: `${this.scope(true)} repository:${fromRepository}:pull`,
      headers: { 'content-length': '0' },
      accept: [201, 202],
      signal,
    });
    await response.body?.cancel();
    if (response.status === 202) {
      // Not mounted: an upload session was opened instead; cancel it so it does not linger.
      const location = response.headers.get('location');
      if (location) {
        const url = new URL(location, await this.client.baseUrl());
        await this.client
          .request({ method: 'DELETE', path: url.toString(), scope: this.scope(true), accept: [202, 204, 404], signal })
          .then(
            (r) => r.body?.cancel(),
            () => undefined,
          );
      }
    }
    return response.status === 201;
  }

  async getManifest(reference: string, signal?: AbortSignal): Promise<StoredManifest> {
    const url = `/v2/${this.repository}/manifests/${reference}`;
    // Registry 2.8 answers 404 for OCI manifests unless the Accept list names the OCI types.
    const response = await this.client.request({
      method: 'GET',
      path: url,
      scope: this.scope(),
      headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
      accept: [200, 404],
      signal,
    });
    if (response.status === 404) {
      const error = await registryError(response, 'GET', url);
      throw new ManifestNotFoundError({ reference, location: this.location, cause: error });
    }
    const subject = `${this.location}: manifest ${reference}`;
    const length = Number(response.headers.get('content-length'));
    if (Number.isFinite(length) && length > MAX_MANIFEST_SIZE) {
      await response.body?.cancel();
      throw new LimitExceededError({ limit: 'MAX_MANIFEST_SIZE', maximum: MAX_MANIFEST_SIZE, actual: length, subject });
    }
    const bytes = await collectBytes(
      responseBody(response),
      MAX_MANIFEST_SIZE,
      (actual) => new LimitExceededError({ limit: 'MAX_MANIFEST_SIZE', maximum: MAX_MANIFEST_SIZE, actual, subject }),
    );
    const digest = digestOf(bytes);
    if (isDigest(reference)) verifyBytes(bytes, { digest: reference }, subject);
    const announced = response.headers.get('docker-content-digest');
    if (announced && announced.startsWith('sha256:') && announced !== digest) {
      throw new DigestMismatchError({ subject: `${subject} (Docker-Content-Digest)`, expected: announced, actual: digest });
    }
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim();
    const parsed = parseManifest(bytes, subject, contentType && contentType !== 'application/json' ? contentType : undefined);
    return { descriptor: { mediaType: parsed.mediaType, digest: isDigest(reference) ? reference : digest, size: bytes.length }, parsed };
  }

  async putManifest(bytes: Uint8Array, options: PutManifestOptions = {}): Promise<Descriptor> {
    const digest = digestOf(bytes);
    const parsed = parseManifest(bytes, `new manifest ${digest} for ${this.location}`, options.mediaType);
    const mediaType = options.mediaType ?? parsed.mediaType;
    const response = await this.client.request({
      method: 'PUT',
      path: `/v2/${this.repository}/manifests/${options.tag ?? digest}`,
      scope: this.scope(true),
      headers: { 'content-type': mediaType },
      body: bytes,
      accept: [200, 201, 202],
      signal: options.signal,
    });
    await response.body?.cancel();
    const stored = response.headers.get('docker-content-digest');
    if (stored && stored !== digest) {
      throw new RegistryError({
        method: 'PUT',
        url: this.location,
        status: response.status,
        registryMessage: `registry stored the manifest as ${stored}, expected ${digest}`,
      });
    }
    const descriptor: Descriptor = { mediaType, digest, size: bytes.length };
    const subject = subjectOf(parsed);
    if (subject) await registerReferrer(this, subject, descriptor, parsed, response.headers.get('oci-subject'), options.signal);
    return descriptor;
  }

  async listTags(signal?: AbortSignal): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${this.repository}/tags/list`;
    for (let page = 0; path && page < 1000; page++) {
      const response = await this.client.request({ method: 'GET', path, scope: this.scope(), accept: [200, 404], signal });
      if (response.status === 404) {
        await response.body?.cancel();
        return tags;
      }
      const body = (await response.json()) as { tags?: unknown };
      if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get('link') ?? '')?.[1];
      path = next ? new URL(next, await this.client.baseUrl()).toString() : undefined;
    }
    return tags;
  }

  listReferrers(digest: string, options: ListReferrersOptions = {}): Promise<Descriptor[]> {
    return listRegistryReferrers(this, digest, options);
  }
}
