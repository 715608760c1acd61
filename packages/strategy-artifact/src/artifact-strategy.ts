import {
  AlreadyAttachedError,
  DigestMismatchError,
  InvalidArgumentError,
  type AttachRequest,
  type AttachResult,
  type Descriptor,
  type ImageLocation,
  type ImageStore,
  type LocatedPayload,
  type LocateOptions,
  type MetaLayerStrategy,
  type StrategyCapabilities,
  type StrategyContext,
} from '@metalayer/core';
import { EMPTY_BLOB, EMPTY_DESCRIPTOR, resolveImage, resolveManifest } from '@metalayer/oci';
import { computeBootableDigests, sealPayload } from '@metalayer/strategy-kit';
import { STRATEGY_NAME } from './artifact-media-types';
import { buildArtifact, type ArtifactPlan } from './build-artifact';
import { chooseArtifact, findArtifacts, pinArtifact } from './find-artifacts';
import { readArtifact } from './read-artifact';

/** What the artifact strategy can do (read by the conformance suite and `metalayer compare`). */
export const ARTIFACT_CAPABILITIES: StrategyCapabilities = {
  hidesKernelFromContainer: true,
  changesImageDigest: false,
  needsReferrers: true,
  payloadKinds: ['uki', 'bls'],
  reattach: 'idempotent',
};

const imageName = (image: ImageLocation): string => `${image.store.location}:${image.reference}`;
const signalOf = (ctx: StrategyContext) => (ctx.signal ? { signal: ctx.signal } : {});

/** Writes the empty config, each blob (unless already stored), then the manifest, which the store registers as a referrer. */
async function writeArtifact(ctx: StrategyContext, store: ImageStore, plan: ArtifactPlan): Promise<Descriptor[]> {
  const empty = { mediaType: EMPTY_DESCRIPTOR.mediaType, digest: EMPTY_DESCRIPTOR.digest, size: EMPTY_DESCRIPTOR.size };
  const blobs = [{ descriptor: empty, content: () => EMPTY_BLOB }, ...plan.blobs];
  for (const { descriptor, content } of blobs) {
    if ((await store.statBlob(descriptor.digest, ctx.signal)) === descriptor.size) continue;
    await store.putBlob(content(), { expected: { digest: descriptor.digest, size: descriptor.size }, ...signalOf(ctx) });
  }
  const written = await store.putManifest(plan.manifestBytes, { mediaType: plan.descriptor.mediaType, ...signalOf(ctx) });
  if (written.digest !== plan.descriptor.digest) {
    throw new DigestMismatchError({
      subject: `${store.location}: artifact manifest`,
      expected: plan.descriptor.digest,
      actual: written.digest,
    });
  }
  return [empty, ...plan.blobs.map((b) => b.descriptor), plan.descriptor];
}

/**
 * The `artifact` strategy: the image stays untouched; an OCI 1.1 artifact
 * manifest whose `subject` is the image manifest carries the sealed payload
 * as blobs. It is found again through the referrers API, the `sha256-<hex>`
 * fallback tag, or untagged `index.json` entries in a layout.
 */
export function createArtifactStrategy(): MetaLayerStrategy {
  return {
    name: STRATEGY_NAME,
    summary: 'image untouched; the kernel travels in an OCI 1.1 artifact that refers to the image (referrers API or fallback tag)',
    capabilities: ARTIFACT_CAPABILITIES,

    async detect(ctx, image) {
      const { manifest } = await resolveManifest(image.store, image.reference, signalOf(ctx));
      return (await findArtifacts(ctx, image.store, manifest.descriptor)).length > 0;
    },

    async attach(ctx: StrategyContext, request: AttachRequest): Promise<AttachResult> {
      const { store } = request.image;
      if (!ARTIFACT_CAPABILITIES.payloadKinds.includes(request.payload.kind)) {
        throw new InvalidArgumentError({
          argument: 'payload.kind',
          value: request.payload.kind,
          message: `the ${STRATEGY_NAME} strategy carries ${ARTIFACT_CAPABILITIES.payloadKinds.join(' or ')} payloads`,
        });
      }
      const image = await resolveImage(store, request.image.reference, signalOf(ctx));
      const [digest] = await computeBootableDigests(ctx, store, image, [request.digest]);
      if (!digest) throw new Error(`computeBootableDigests returned no digest for ${imageName(request.image)}`);
      const plan = await buildArtifact(await sealPayload(ctx, request.payload, digest), image.descriptor, digest);

      // Same payload again → the same bytes, so the same digest: idempotent.
      // Any other artifact of ours already refers to the image → refuse.
      const existing = await findArtifacts(ctx, store, image.descriptor);
      if (existing.length > 0 && !existing.some((c) => c.descriptor.digest === plan.descriptor.digest)) {
        throw new AlreadyAttachedError({
          image: imageName(request.image),
          strategy: STRATEGY_NAME,
          existing: existing.map((c) => `artifact ${c.descriptor.digest}`).join(', '),
        });
      }
      const added = await writeArtifact(ctx, store, plan);
      ctx.log?.(`${STRATEGY_NAME}: artifact ${plan.descriptor.digest} refers to ${image.descriptor.digest}`);
      // The image as the artifact's subject names it (a layout's ref.name annotation is not part of it).
      const { annotations: _annotations, ...subject } = image.descriptor;
      return { strategy: STRATEGY_NAME, image: subject, artifact: plan.descriptor, composefsDigest: digest, added, payload: plan.payload };
    },

    async locate(ctx: StrategyContext, location: ImageLocation, options: LocateOptions = {}): Promise<LocatedPayload> {
      const { store } = location;
      const image = await resolveImage(store, location.reference, signalOf(ctx));
      const candidate =
        options.artifact !== undefined
          ? await pinArtifact(ctx, store, image.descriptor, imageName(location), options.artifact)
          : chooseArtifact(imageName(location), await findArtifacts(ctx, store, image.descriptor));
      const payload = await readArtifact(ctx, store, candidate);
      const claims = Object.fromEntries(
        Object.entries(candidate.manifest.annotations ?? {}).filter(([key]) => key.startsWith('composefs.')),
      );
      return {
        strategy: STRATEGY_NAME,
        image,
        payload,
        origin: { kind: 'artifact', manifest: candidate.descriptor, blobs: candidate.manifest.layers },
        claims,
      };
    },
  };
}
