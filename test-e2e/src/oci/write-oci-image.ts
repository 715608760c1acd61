import { encodeJson, MediaType, openLayout, putLayer, type Descriptor, type ImageConfig, type ImageManifest } from '@metalayer/oci';
import type { Tree } from '../tree/fs-tree';
import { TREE_DEFAULT_MTIME } from '../tree/fs-tree';
import { layerTarEntries } from './layer-entries';

/** Options of {@link writeOciImage}. */
export interface WriteOciImageOptions {
  /** The OCI layout directory (created when missing; an existing layout gains the tag). */
  dir: string;
  tag: string;
  /** Layers bottom first. */
  layers: readonly Tree[];
  /** One name per layer, written as config history `created_by`. */
  layerNames?: readonly string[];
  /** Config labels. */
  labels?: Record<string, string>;
}

/** The written image and its `oci:DIR:TAG` reference. */
export interface WrittenOciImage {
  dir: string;
  tag: string;
  reference: string;
  manifestDigest: string;
  configDigest: string;
  layers: Array<{ descriptor: Descriptor; diffId: string }>;
}

/**
 * Packs `layers` into an amd64/linux image in an OCI image layout with
 * `@metalayer/oci` (gzip layers, a config with `rootfs.diff_ids` and one history
 * entry per layer, a manifest tagged `tag`): the input of the pipeline under test.
 * Reproducible: the same layers give the same manifest digest.
 */
export async function writeOciImage(options: WriteOciImageOptions): Promise<WrittenOciImage> {
  const store = await openLayout(options.dir, { create: true });
  const layers: WrittenOciImage['layers'] = [];
  for (const layer of options.layers) layers.push(await putLayer(store, layerTarEntries(layer)));
  const created = new Date(TREE_DEFAULT_MTIME * 1000).toISOString();
  const config = {
    created,
    architecture: 'amd64',
    os: 'linux',
    config: { Entrypoint: ['/usr/sbin/init'], Labels: options.labels ?? {} },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created, created_by: `metalayer-e2e layer ${options.layerNames?.[i] ?? i}` })),
  } satisfies ImageConfig;
  const configBlob = await store.putBlob(encodeJson(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.imageManifest,
    config: { mediaType: MediaType.imageConfig, ...configBlob },
    layers: layers.map((l) => l.descriptor),
  } satisfies ImageManifest;
  const descriptor = await store.putManifest(encodeJson(manifest), { tag: options.tag });
  return {
    dir: options.dir,
    tag: options.tag,
    reference: `oci:${options.dir}:${options.tag}`,
    manifestDigest: descriptor.digest,
    configDigest: configBlob.digest,
    layers,
  };
}
