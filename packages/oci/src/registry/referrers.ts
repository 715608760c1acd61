import { LimitExceededError } from '@metalayer/core';
import { ManifestFormatError, ManifestNotFoundError } from '../errors/index';
import { collectBytes, splitDigest } from '../digest';
import { referrerDescriptor } from '../layout/layout-entries';
import { MAX_MANIFEST_SIZE } from '../limits';
import { MediaType } from '../media-types';
import { encodeJson, parseManifest } from '../parse-json';
import type { ListReferrersOptions } from '@metalayer/core';
import type { Descriptor, ParsedManifest } from '@metalayer/core';
import { registryError } from './registry-client';
import { responseBody, type RegistryStore } from './registry-store';

/** The referrers fallback tag of a digest (distribution-spec "Referrers Tag Schema"): `<alg>-<hex, at most 64>`. */
export function fallbackTag(digest: string): string {
  const { algorithm, encoded } = splitDigest(digest);
  return `${algorithm}-${encoded.slice(0, 64)}`;
}

/** The zero digest oras pings the referrers API with. */
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

/**
 * Asks the registry whether it serves the referrers API, as oras-go does:
 * 200 with the index media type → yes; 404 `NAME_UNKNOWN` → unknown
 * (repository missing); any other answer → no. Caches the answer on the store.
 */
export async function detectReferrersApi(store: RegistryStore, signal?: AbortSignal): Promise<boolean | undefined> {
  const response = await store.client.request({
    method: 'GET',
    path: `/v2/${store.repository}/referrers/${ZERO_DIGEST}`,
    scope: store.scope(),
    accept: [200, 400, 404, 405],
    signal,
  });
  const type = response.headers.get('content-type')?.split(';')[0]?.trim();
  if (response.status === 200 && type === MediaType.imageIndex) {
    await response.body?.cancel();
    return (store.referrersApi = true);
  }
  const error = await registryError(response, 'GET', store.location);
  if (response.status === 404 && error.code === 'NAME_UNKNOWN') return undefined;
  return (store.referrersApi = false);
}

/** Adds `entry` to the fallback index of `subjectDigest` (read, append unless present, write back). */
async function updateFallbackIndex(store: RegistryStore, subjectDigest: string, entry: Descriptor, signal?: AbortSignal): Promise<void> {
  const tag = fallbackTag(subjectDigest);
  let manifests: Descriptor[] = [];
  try {
    const current = await store.getManifest(tag, signal);
    if (current.parsed.kind !== 'index') {
      throw new ManifestFormatError({
        subject: `${store.location}:${tag}`,
        reason: 'the referrers fallback tag does not name an image index',
      });
    }
    manifests = current.parsed.index.manifests;
  } catch (error) {
    if (!ManifestNotFoundError.isInstance(error)) throw error;
  }
  if (manifests.some((m) => m.digest === entry.digest)) return;
  // Registry 2.8 ignores If-Match, so two writers can race here; the spec leaves it to the client.
  const index = { schemaVersion: 2, mediaType: MediaType.imageIndex, manifests: [...manifests, entry] };
  await store.putManifest(encodeJson(index), { tag, mediaType: MediaType.imageIndex, signal });
}

/**
 * Called after a manifest with a `subject` was pushed: an `OCI-Subject`
 * response header means the registry indexes referrers itself; otherwise the
 * client maintains the `sha256-<hex>` fallback tag.
 */
export async function registerReferrer(
  store: RegistryStore,
  subject: Descriptor,
  descriptor: Descriptor,
  parsed: ParsedManifest,
  ociSubject: string | null,
  signal?: AbortSignal,
): Promise<void> {
  if (ociSubject) {
    store.referrersApi = true;
    return;
  }
  store.referrersApi = false;
  await updateFallbackIndex(store, subject.digest, referrerDescriptor(descriptor, parsed), signal);
}

function filterType(descriptors: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined ? descriptors : descriptors.filter((d) => d.artifactType === artifactType);
}

async function readIndexPages(
  store: RegistryStore,
  first: Response,
  artifactType: string | undefined,
  signal?: AbortSignal,
): Promise<Descriptor[]> {
  const found: Descriptor[] = [];
  let response: Response | undefined = first;
  for (let page = 0; response && page < 1000; page++) {
    const subject = `${store.location}: referrers`;
    const bytes = await collectBytes(
      responseBody(response),
      MAX_MANIFEST_SIZE,
      (actual) => new LimitExceededError({ limit: 'MAX_MANIFEST_SIZE', maximum: MAX_MANIFEST_SIZE, actual, subject }),
    );
    const parsed = parseManifest(bytes, subject, MediaType.imageIndex);
    if (parsed.kind !== 'index') throw new ManifestFormatError({ subject, reason: 'referrers response is not an image index' });
    const filtered = (response.headers.get('oci-filters-applied') ?? '')
      .split(',')
      .map((s) => s.trim())
      .includes('artifactType');
    found.push(...(filtered ? parsed.index.manifests : filterType(parsed.index.manifests, artifactType)));
    const next: string | undefined = /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get('link') ?? '')?.[1];
    response = next
      ? await store.client.request({
          method: 'GET',
          path: new URL(next, await store.client.baseUrl()).toString(),
          scope: store.scope(),
          signal,
        })
      : undefined;
  }
  return found;
}

/** Referrers of `digest`: through the referrers API when served, else from the fallback tag. */
export async function listRegistryReferrers(
  store: RegistryStore,
  digest: string,
  options: ListReferrersOptions = {},
): Promise<Descriptor[]> {
  const { artifactType, signal } = options;
  if (store.referrersApi !== false) {
    const query = artifactType ? `?${new URLSearchParams({ artifactType })}` : '';
    const response = await store.client.request({
      method: 'GET',
      path: `/v2/${store.repository}/referrers/${digest}${query}`,
      scope: store.scope(),
      accept: [200, 404],
      signal,
    });
    const type = response.headers.get('content-type')?.split(';')[0]?.trim();
    if (response.status === 200 && type === MediaType.imageIndex) {
      store.referrersApi = true;
      return readIndexPages(store, response, artifactType, signal);
    }
    if (response.status === 404) {
      const error = await registryError(response, 'GET', store.location);
      if (error.code === 'NAME_UNKNOWN') return [];
    } else {
      await response.body?.cancel();
    }
    store.referrersApi = false;
  }
  try {
    const fallback = await store.getManifest(fallbackTag(digest), signal);
    return fallback.parsed.kind === 'index' ? filterType(fallback.parsed.index.manifests, artifactType) : [];
  } catch (error) {
    if (ManifestNotFoundError.isInstance(error) || ManifestFormatError.isInstance(error)) return [];
    throw error;
  }
}
