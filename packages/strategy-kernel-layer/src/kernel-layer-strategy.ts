import {
  AlreadyAttachedError,
  PayloadNotFoundError,
  type AttachResult,
  type BootPayload,
  type ImageLocation,
  type LocatedPayload,
  type MetaLayerStrategy,
  type ResolvedImage,
  type StrategyCapabilities,
} from '@metalayer/core';
import { resolveImage } from '@metalayer/oci';
import { analyzeImage, sealPayload } from '@metalayer/strategy-kit';
import { NotBootableBaseError } from './errors/index';
import { findKernelLayer, hasKernelLayerMarks } from './find-kernel-layer';
import { kernelLayerLayout } from './kernel-layer-layout';
import { payloadFromLayer } from './payload-from-layer';
import { readKernelLayer } from './read-kernel-layer';
import { claimsOf, writeKernelLayer } from './write-kernel-layer';
import { STRATEGY_NAME } from './labels';
import { baseBootOf, baseBootQueries, checkBaseBoot } from './check-base-boot';

/** Options of {@link createKernelLayerStrategy}. */
export interface KernelLayerStrategyOptions {
  /**
   * Entry token of Type #1 entries (`/boot/loader/entries/<token>-<kver>.conf`,
   * files in `/boot/<token>/<kver>/`). Default: `IMAGE_ID`, else `ID`, of the
   * payload's os-release.
   */
  readonly entryToken?: string;
  /** Compression of the kernel layer. Default `none`: payloads are compressed already, and a plain tar has the same bytes on every Node/zlib version. */
  readonly compression?: 'none' | 'gzip';
}

/** What the kernel-layer strategy can do (read by the conformance suite). */
export const KERNEL_LAYER_CAPABILITIES: StrategyCapabilities = {
  hidesKernelFromContainer: false,
  changesImageDigest: true,
  needsReferrers: false,
  payloadKinds: ['uki', 'bls'],
  reattach: 'refuse',
};

const imageName = (image: ImageLocation) => `${image.store.location}:${image.reference}`;

/** Refuses an image that already carries either of our marks (config and manifest only). */
function refuseMarked(resolved: ResolvedImage, name: string): void {
  if (!hasKernelLayerMarks(resolved)) return;
  let existing = 'kernel-layer marks that disagree';
  let cause: unknown;
  try {
    existing = `kernel layer ${findKernelLayer(resolved, name)!.diffId}`;
  } catch (error) {
    cause = error;
  }
  throw new AlreadyAttachedError({ image: name, strategy: STRATEGY_NAME, existing, cause });
}

/**
 * The `kernel-layer` strategy: one final layer adds the payload at its
 * standard place in `/boot` (a UKI in `/boot/EFI/Linux`, or a Type #1 entry
 * with its kernel and initrds). The bootable transform empties `/boot`, so the
 * digest on the command line is the bootable digest of the final image and
 * equals composefs-rs/bootc `compute-id --bootable` of it.
 */
export function createKernelLayerStrategy(options: KernelLayerStrategyOptions = {}): MetaLayerStrategy {
  return {
    name: STRATEGY_NAME,
    summary: 'one final layer adds the kernel at its standard place in /boot (kernel visible in the container)',
    capabilities: KERNEL_LAYER_CAPABILITIES,

    async detect(ctx, image) {
      const resolved = await resolveImage(image.store, image.reference, ctx.signal ? { signal: ctx.signal } : {});
      return hasKernelLayerMarks(resolved);
    },

    async attach(ctx, request): Promise<AttachResult> {
      const layout = await kernelLayerLayout(request.payload, options);
      const { store } = request.image;
      const image = await resolveImage(store, request.image.reference, ctx.signal ? { signal: ctx.signal } : {});
      const name = imageName(request.image);
      refuseMarked(image, name);
      // One pass over the base: the refusals (from its merged tree, before the digest is built), the
      // metadata the layer must repeat, and the bootable digest of the root that will boot.
      const { digests, directories: stats } = await analyzeImage(ctx, store, image, {
        specs: [request.digest],
        directories: layout.directories,
        ...baseBootQueries(layout.directories),
        check: (facts) => checkBaseBoot(ctx, store, image, name, baseBootOf(facts, layout.directories)),
      });
      const boot = stats.get('boot');
      if (!boot) throw new NotBootableBaseError({ image: name, missing: ['/boot'] });
      const digest = digests[0];
      if (!digest) throw new Error('analyzeImage returned no digest for the requested spec');
      ctx.log?.(`${STRATEGY_NAME}: bootable digest ${digest.hex}`);
      const sealed: BootPayload = await sealPayload(ctx, request.payload, digest);
      const written = await writeKernelLayer(store, image, {
        layout,
        payload: sealed,
        stats,
        boot,
        digest,
        compression: options.compression ?? 'none',
        ...(request.tag ? { tag: request.tag } : {}),
      });
      return { strategy: STRATEGY_NAME, image: written.image, composefsDigest: digest, added: written.added, payload: written.payload };
    },

    async locate(ctx, image): Promise<LocatedPayload> {
      const name = imageName(image);
      const resolved = await resolveImage(image.store, image.reference, ctx.signal ? { signal: ctx.signal } : {});
      const mark = findKernelLayer(resolved, name);
      if (!mark) throw new PayloadNotFoundError({ image: name, strategy: STRATEGY_NAME, reason: 'no layer is marked as a kernel layer' });
      const files = await readKernelLayer(ctx, image.store, mark);
      const { payload, paths } = await payloadFromLayer(files, `${image.store.location}: layer ${mark.layer.digest}`);
      return {
        strategy: STRATEGY_NAME,
        image: resolved,
        payload,
        origin: { kind: 'layer', layer: mark.layer, diffId: mark.diffId, paths },
        claims: claimsOf(resolved),
      };
    },
  };
}
