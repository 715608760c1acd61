import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tree } from '../tree/fs-tree';
import { TREE_DEFAULT_MTIME } from '../tree/fs-tree';
import { writeLayerTar, type WrittenLayer } from './layer-tar';

// OCI image-spec 1.1 media types (image-layout.md, manifest.md, config.md).
const MEDIA_INDEX = 'application/vnd.oci.image.index.v1+json';
const MEDIA_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MEDIA_CONFIG = 'application/vnd.oci.image.config.v1+json';
const MEDIA_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Options of {@link writeOciImage}. */
export interface WriteOciImageOptions {
  /** The OCI layout directory (created; an existing `index.json` gains the new tag). */
  dir: string;
  tag: string;
  /** Layers bottom first. */
  layers: readonly Tree[];
  /** One name per layer, written as config history `created_by`. */
  layerNames?: readonly string[];
  /** Config labels. */
  labels?: Record<string, string>;
}

/** The written image: its manifest digest and the `oci:DIR:TAG` reference. */
export interface WrittenOciImage {
  dir: string;
  tag: string;
  reference: string;
  manifestDigest: string;
  configDigest: string;
  layers: WrittenLayer[];
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

async function putBlob(dir: string, bytes: Uint8Array): Promise<{ digest: string; size: number }> {
  const hex = createHash('sha256').update(bytes).digest('hex');
  const path = join(dir, 'blobs', 'sha256', hex);
  if (!existsSync(path)) {
    await writeFile(`${path}.tmp-${process.pid}`, bytes);
    await rename(`${path}.tmp-${process.pid}`, path);
  }
  return { digest: `sha256:${hex}`, size: bytes.length };
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/**
 * Packs `layers` into an amd64/linux image in an OCI image layout (gzip layers,
 * config with `rootfs.diff_ids` and one history entry per layer, a manifest, and
 * `index.json` naming it `tag`). Test input for the pipeline under test; skopeo
 * and umoci read it.
 */
export async function writeOciImage(options: WriteOciImageOptions): Promise<WrittenOciImage> {
  const blobs = join(options.dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  await writeFile(join(options.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layers: WrittenLayer[] = [];
  for (const [i, layer] of options.layers.entries()) {
    const tmp = join(blobs, `.layer-${i}-${process.pid}.tar.gz`);
    const written = await writeLayerTar(layer, tmp);
    const final = join(blobs, written.digest.slice('sha256:'.length));
    if (existsSync(final)) await rm(tmp);
    else await rename(tmp, final);
    layers.push({ ...written, path: final });
  }
  const created = new Date(TREE_DEFAULT_MTIME * 1000).toISOString();
  const config = {
    created,
    architecture: 'amd64',
    os: 'linux',
    config: { Entrypoint: ['/usr/sbin/init'], Labels: options.labels ?? {} },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created, created_by: `metalayer-e2e layer ${options.layerNames?.[i] ?? i}` })),
  };
  const configBlob = await putBlob(options.dir, json(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_MANIFEST,
    config: { mediaType: MEDIA_CONFIG, ...configBlob },
    layers: layers.map((l) => ({ mediaType: MEDIA_LAYER_GZIP, digest: l.digest, size: l.size })),
  };
  const manifestBlob = await putBlob(options.dir, json(manifest));
  const indexPath = join(options.dir, 'index.json');
  const index: ImageIndex = existsSync(indexPath)
    ? (JSON.parse(readFileSync(indexPath, 'utf8')) as ImageIndex)
    : { schemaVersion: 2, mediaType: MEDIA_INDEX, manifests: [] };
  index.manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== options.tag);
  index.manifests.push({ mediaType: MEDIA_MANIFEST, ...manifestBlob, annotations: { [REF_NAME_ANNOTATION]: options.tag } });
  await writeFile(`${indexPath}.tmp-${process.pid}`, JSON.stringify(index));
  await rename(`${indexPath}.tmp-${process.pid}`, indexPath);
  return {
    dir: options.dir,
    tag: options.tag,
    reference: `oci:${options.dir}:${options.tag}`,
    manifestDigest: manifestBlob.digest,
    configDigest: configBlob.digest,
    layers,
  };
}
