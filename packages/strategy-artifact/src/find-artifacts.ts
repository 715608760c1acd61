import {
  AmbiguousPayloadError,
  InvalidArgumentError,
  PayloadNotFoundError,
  type Descriptor,
  type ImageManifest,
  type ImageStore,
  type StrategyContext,
} from '@metalayer/core';
import { artifactTypeOf, isDigest, ManifestNotFoundError, MediaType, subjectOf } from '@metalayer/oci';
import { KEY_PAYLOAD_ROLE, KEY_TITLE } from '@metalayer/strategy-kit';
import { ARTIFACT_TYPE, KEY_KERNEL_VERSION, KEY_PAYLOAD_KIND, STRATEGY_NAME } from './artifact-media-types';

/** An artifact manifest of our type whose `subject` is the image. */
export interface ArtifactCandidate {
  /** Its descriptor, with `artifactType`. */
  readonly descriptor: Descriptor;
  readonly manifest: ImageManifest;
}

/**
 * Reads the manifest `digest` (verified by the store) and returns it when it
 * is one of our artifacts referring to `imageDigest`, else why it is not.
 */
async function readCandidate(
  store: ImageStore,
  digest: string,
  imageDigest: string,
  signal?: AbortSignal,
): Promise<ArtifactCandidate | string> {
  let stored;
  try {
    stored = await store.getManifest(digest, signal);
  } catch (error) {
    if (ManifestNotFoundError.isInstance(error)) return `${digest} is not in ${store.location}`;
    throw error;
  }
  const { parsed } = stored;
  if (parsed.kind !== 'manifest') return `${digest} is an image index, not an artifact manifest`;
  const type = artifactTypeOf(parsed);
  if (type !== ARTIFACT_TYPE) return `${digest} has artifact type ${JSON.stringify(type)}, not ${ARTIFACT_TYPE}`;
  const subject = subjectOf(parsed)?.digest;
  if (subject !== imageDigest) return `${digest} refers to ${subject ?? 'no subject'}, not to the image ${imageDigest}`;
  const mediaType = stored.descriptor.mediaType || MediaType.imageManifest;
  return { descriptor: { mediaType, digest, size: stored.descriptor.size, artifactType: ARTIFACT_TYPE }, manifest: parsed.manifest };
}

/**
 * Our artifacts referring to `image`, sorted by manifest digest. Referrers of
 * other types (signatures, SBOMs) are left out by the query; listed entries
 * whose manifest turns out to be of another type or to refer to another image
 * (a fallback index anyone can write) are skipped with a log line.
 */
export async function findArtifacts(ctx: StrategyContext, store: ImageStore, image: Descriptor): Promise<ArtifactCandidate[]> {
  const listed = await store.listReferrers(image.digest, { artifactType: ARTIFACT_TYPE, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  const found = new Map<string, ArtifactCandidate>();
  for (const referrer of listed) {
    if (found.has(referrer.digest) || (referrer.artifactType !== undefined && referrer.artifactType !== ARTIFACT_TYPE)) continue;
    const candidate = await readCandidate(store, referrer.digest, image.digest, ctx.signal);
    if (typeof candidate === 'string') ctx.log?.(`${STRATEGY_NAME}: ignoring referrer ${candidate}`);
    else found.set(referrer.digest, candidate);
  }
  return [...found.values()].sort((a, b) =>
    a.descriptor.digest < b.descriptor.digest ? -1 : a.descriptor.digest > b.descriptor.digest ? 1 : 0,
  );
}

/**
 * What makes two artifacts carry the same payload: the kind, the kernel
 * version and every blob's media type, digest, size, title and role. Digest
 * hints are left out (verify recomputes them); no blob is downloaded.
 */
export function payloadSignature(manifest: ImageManifest): string {
  const annotations = manifest.annotations ?? {};
  return JSON.stringify([
    annotations[KEY_PAYLOAD_KIND] ?? null,
    annotations[KEY_KERNEL_VERSION] ?? null,
    manifest.layers.map((l) => [
      l.mediaType,
      l.digest,
      l.size,
      l.annotations?.[KEY_TITLE] ?? null,
      l.annotations?.[KEY_PAYLOAD_ROLE] ?? null,
    ]),
  ]);
}

/**
 * Picks the artifact to boot from. None → `PayloadNotFoundError`. Several
 * that carry the same payload (two build jobs, a copy from elsewhere) → the
 * one with the lowest manifest digest, so every reader picks the same.
 * Several that disagree → `AmbiguousPayloadError` listing them all.
 */
export function chooseArtifact(imageName: string, candidates: readonly ArtifactCandidate[]): ArtifactCandidate {
  const [first] = candidates;
  if (!first)
    throw new PayloadNotFoundError({
      image: imageName,
      strategy: STRATEGY_NAME,
      reason: `no referrer with artifact type ${ARTIFACT_TYPE}`,
    });
  const signatures = new Set(candidates.map((c) => payloadSignature(c.manifest)));
  if (signatures.size > 1) {
    const kinds = [...new Set(candidates.map((c) => c.manifest.annotations?.[KEY_PAYLOAD_KIND] ?? '(none)'))].sort();
    const reason = kinds.length > 1 ? `payload kinds differ: ${kinds.join(', ')}` : 'their payload files differ';
    throw new AmbiguousPayloadError({ image: imageName, candidates: candidates.map((c) => c.descriptor.digest), reason });
  }
  return first;
}

/**
 * The artifact `digest` pinned by the caller (`--artifact`): it must be one
 * of our artifacts and refer to the image. It need not be listed by the
 * referrers API or fallback tag (a copy may have lost those), since its
 * manifest says what it refers to.
 */
export async function pinArtifact(
  ctx: StrategyContext,
  store: ImageStore,
  image: Descriptor,
  imageName: string,
  digest: string,
): Promise<ArtifactCandidate> {
  if (!isDigest(digest))
    throw new InvalidArgumentError({
      argument: '--artifact',
      value: digest,
      message: `${JSON.stringify(digest)} is not a digest (sha256:<64 hex>)`,
    });
  const candidate = await readCandidate(store, digest, image.digest, ctx.signal);
  if (typeof candidate === 'string')
    throw new PayloadNotFoundError({ image: imageName, strategy: STRATEGY_NAME, reason: `pinned artifact ${candidate}` });
  return candidate;
}
