import type { BootPayload, ComposefsDigestValue, Descriptor, ImageStore, ResolvedImage } from '@metalayer/core';
import { putLayer } from '@metalayer/oci';
import { appendLayers, bootableDigestKey, KEY_LAYER_ROLE, KEY_STRATEGY, KEY_TITLE, type DirectoryStat } from '@metalayer/strategy-kit';
import { blsEntryText } from './bls-entry-text';
import { kernelLayerEntries, type KernelLayerFile } from './kernel-layer-entries';
import type { KernelLayerLayout } from './kernel-layer-layout';
import { KERNEL_LAYER_ROLE, KEY_KERNEL_LAYER, STRATEGY_NAME } from './labels';

/** Input of {@link writeKernelLayer}. */
export interface WriteKernelLayerInput {
  readonly layout: KernelLayerLayout;
  /** The sealed payload. */
  readonly payload: BootPayload;
  /** Base metadata of `layout.directories` (undefined: the base lacks it). */
  readonly stats: ReadonlyMap<string, DirectoryStat | undefined>;
  readonly boot: DirectoryStat;
  readonly digest: ComposefsDigestValue;
  readonly compression: 'none' | 'gzip';
  readonly tag?: string;
}

/** What {@link writeKernelLayer} stored. */
export interface WrittenKernelLayer {
  readonly image: Descriptor;
  /** Layer, config and manifest. */
  readonly added: readonly Descriptor[];
  /** The payload exactly as the layer carries it. */
  readonly payload: BootPayload;
}

/** Writes the kernel layer, then a config and manifest adding it on top of `base` with the marks and hints. */
export async function writeKernelLayer(store: ImageStore, base: ResolvedImage, input: WriteKernelLayerInput): Promise<WrittenKernelLayer> {
  const { layout, payload } = input;
  let files: KernelLayerFile[];
  let attached: BootPayload;
  let title: string;
  if (layout.kind === 'uki' && payload.kind === 'uki') {
    files = [{ path: layout.ukiPath, data: payload.uki.data }];
    attached = payload;
    title = payload.uki.name;
  } else if (layout.kind === 'bls' && payload.kind === 'bls') {
    const entry = blsEntryText(payload, layout);
    files = [
      { path: layout.entryPath, data: entry.bytes },
      { path: layout.kernelPath, data: payload.kernel.data },
      ...payload.initrds.map((f, i) => ({ path: layout.initrdPaths[i]!, data: f.data })),
    ];
    attached = entry.payload;
    title = layout.entryPath.slice(layout.entryPath.lastIndexOf('/') + 1);
  } else {
    throw new Error(`unreachable: a ${layout.kind} layout for a ${payload.kind} payload`);
  }
  const entries = kernelLayerEntries(layout.directories, files, input.stats, input.boot);
  const layer = await putLayer(store, entries, {
    compression: input.compression,
    annotations: { [KEY_LAYER_ROLE]: KERNEL_LAYER_ROLE, [KEY_TITLE]: title },
  });
  const digestKey = bootableDigestKey(input.digest);
  const appended = await appendLayers(store, base, {
    layers: [
      {
        descriptor: layer.descriptor,
        diffId: layer.diffId,
        createdBy: `metalayer attach --strategy ${STRATEGY_NAME}: ${files.map((f) => `/${f.path}`).join(' ')}`,
        comment: `kernel layer; composefs bootable digest ${input.digest.hex}`,
      },
    ],
    labels: { [KEY_STRATEGY]: STRATEGY_NAME, [KEY_KERNEL_LAYER]: layer.diffId, [digestKey]: input.digest.hex },
    // The composefs sealing spec's inline place for the merged bootable digest.
    annotations: { [digestKey]: input.digest.hex },
    ...(input.tag ? { tag: input.tag } : {}),
  });
  return { image: appended.manifest, added: [layer.descriptor, ...appended.added], payload: attached };
}

/** Hints found in labels and annotations (`composefs.*` digests, the kernel layer label); never trusted. */
export function claimsOf(image: ResolvedImage): Record<string, string> {
  const claims: Record<string, string> = {};
  const labels = image.config.config?.Labels ?? {};
  for (const [key, value] of Object.entries(image.manifest.annotations ?? {})) if (key.startsWith('composefs.')) claims[key] = value;
  for (const [key, value] of Object.entries(labels)) if (key.startsWith('composefs.') || key === KEY_KERNEL_LAYER) claims[key] = value;
  return claims;
}
