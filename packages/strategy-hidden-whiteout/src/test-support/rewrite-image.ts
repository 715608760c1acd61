import type { Descriptor, ImageConfig, ImageStore, ResolvedImage } from '@metalayer/core';
import { byteStringToUtf8, encodeJson, putLayer, readStoredLayer, type TarWriteEntry } from '@metalayer/oci';

/** What {@link rewriteImage} changes. */
export interface ImageEdit {
  /** New config labels (replacing all). */
  readonly labels?: (labels: Record<string, string>) => Record<string, string>;
  /** New layer list (descriptors and diff_ids together). */
  readonly layers?: (layers: { descriptor: Descriptor; diffId: string }[]) => { descriptor: Descriptor; diffId: string }[];
}

/** Writes a variant of `image` (new config and manifest, untagged root entry); returns the manifest digest. */
export async function rewriteImage(store: ImageStore, image: ResolvedImage, edit: ImageEdit): Promise<string> {
  const config: ImageConfig = structuredClone(image.config);
  if (edit.labels) config.config = { ...config.config, Labels: edit.labels({ ...config.config?.Labels }) };
  let layers = image.manifest.layers.map((descriptor, i) => ({ descriptor, diffId: image.config.rootfs.diff_ids[i]! }));
  if (edit.layers) layers = edit.layers(layers);
  config.rootfs = { ...config.rootfs, diff_ids: layers.map((l) => l.diffId) };
  const configBlob = await store.putBlob(encodeJson(config));
  const manifest = { ...image.manifest, config: { ...image.manifest.config, ...configBlob }, layers: layers.map((l) => l.descriptor) };
  return (await store.putManifest(encodeJson(manifest), { root: true })).digest;
}

/** A layer's entries with their bodies in memory (small test layers only). */
export async function readLayerEntries(store: ImageStore, layer: Descriptor): Promise<TarWriteEntry[]> {
  const out: TarWriteEntry[] = [];
  for await (const { header, body } of readStoredLayer(store, layer)) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    out.push({
      name: header.name,
      type: header.type,
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      mtime: header.mtime,
      ...(header.type === 'file' ? { body: Buffer.concat(chunks) } : {}),
    });
  }
  return out;
}

/** One line per entry of a layer: what the snapshots compare. */
export async function describeLayer(store: ImageStore, layer: Descriptor): Promise<string[]> {
  const lines: string[] = [];
  for await (const { header } of readStoredLayer(store, layer)) {
    const mtime = `${header.mtime.seconds}.${String(header.mtime.nanoseconds).padStart(9, '0')}`;
    const owner = `${header.uid}:${header.gid}`;
    lines.push(
      `${byteStringToUtf8(header.name)} ${header.type} ${header.mode.toString(8).padStart(4, '0')} ${owner} mtime=${mtime} size=${header.size} xattrs=${header.xattrs.size}`,
    );
  }
  return lines;
}

/** Puts `entries` as a plain-tar layer with the given annotations. */
export async function putTestLayer(
  store: ImageStore,
  entries: TarWriteEntry[],
  annotations?: Record<string, string>,
): Promise<{ descriptor: Descriptor; diffId: string }> {
  return putLayer(store, entries, { compression: 'none', ...(annotations ? { annotations } : {}) });
}
