// Test fixtures: images built from hand-written layers in an OCI layout.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ResolvedImage } from '@metalayer/core';
import { encodeLayer, MediaType, openLayout, resolveImage, writeTar, type LayoutStore, type TarWriteEntry } from '@metalayer/oci';

/** One layer: entries written by `@metalayer/oci`'s tar writer, or raw tar bytes. */
export interface TestLayer {
  entries?: TarWriteEntry[];
  /** Raw uncompressed tar bytes (for hostile layers the writer cannot produce). */
  raw?: Uint8Array;
  compression?: 'none' | 'gzip';
  /** Claim this diff_id in the config instead of the real one. */
  diffId?: string;
}

/** A built image. */
export interface BuiltImage {
  store: LayoutStore;
  image: ResolvedImage;
  /** `oci:DIR:TAG`. */
  reference: string;
  diffIds: string[];
}

const enc = new TextEncoder();

/** The tar stream of `entries` as bytes. */
export async function tarBytes(entries: TarWriteEntry[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of writeTar(entries)) parts.push(chunk);
  return new Uint8Array(Buffer.concat(parts));
}

/** What else {@link buildTestImage} writes into config and manifest. */
export interface TestImageOptions {
  /** Config fields besides `rootfs` (default `{architecture: 'amd64', os: 'linux'}`). */
  config?: Record<string, unknown>;
  /** Manifest annotations. */
  annotations?: Record<string, string>;
}

/** Writes `layers` as an image tagged `tag` into the layout at `dir` (created when missing). */
export async function buildTestImage(dir: string, layers: TestLayer[], tag = 'test', options: TestImageOptions = {}): Promise<BuiltImage> {
  const store = await openLayout(dir, { create: true });
  const descriptors = [];
  const diffIds: string[] = [];
  for (const layer of layers) {
    const compression = layer.compression ?? 'none';
    if (layer.raw) {
      const blob = compression === 'gzip' ? new Uint8Array(gzipSync(layer.raw)) : layer.raw;
      const info = await store.putBlob(blob);
      descriptors.push({ mediaType: compression === 'gzip' ? MediaType.layerTarGzip : MediaType.layerTar, ...info });
      diffIds.push(layer.diffId ?? `sha256:${createHash('sha256').update(layer.raw).digest('hex')}`);
    } else {
      const encoded = encodeLayer(layer.entries ?? [], { compression });
      const info = await store.putBlob(encoded.stream);
      descriptors.push({ mediaType: encoded.mediaType, ...info });
      diffIds.push(layer.diffId ?? encoded.diffId());
    }
  }
  const config = enc.encode(
    JSON.stringify({ ...(options.config ?? { architecture: 'amd64', os: 'linux' }), rootfs: { type: 'layers', diff_ids: diffIds } }),
  );
  const configDescriptor = { mediaType: MediaType.imageConfig, ...(await store.putBlob(config)) };
  const manifest = enc.encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.imageManifest,
      config: configDescriptor,
      layers: descriptors,
      ...(options.annotations ? { annotations: options.annotations } : {}),
    }),
  );
  await store.putManifest(manifest, { tag });
  const image = await resolveImage(store, tag);
  return { store, image, reference: `oci:${dir}:${tag}`, diffIds };
}

/**
 * A raw ustar header block (POSIX pax "ustar Interchange Format") with any
 * typeflag, for entry types the writer refuses to produce.
 */
export function rawTarHeader(fields: {
  name: string;
  typeflag: string;
  size?: number;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  devmajor?: number;
  devminor?: number;
}): Uint8Array {
  const block = new Uint8Array(512);
  const put = (offset: number, length: number, text: string) => block.set(enc.encode(text).subarray(0, length), offset);
  const octal = (offset: number, length: number, value: number) => put(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  put(0, 100, fields.name);
  octal(100, 8, fields.mode ?? 0o644);
  octal(108, 8, fields.uid ?? 0);
  octal(116, 8, fields.gid ?? 0);
  octal(124, 12, fields.size ?? 0);
  octal(136, 12, fields.mtime ?? 0);
  put(156, 1, fields.typeflag);
  put(157, 100, fields.linkname ?? '');
  put(257, 8, 'ustar\u000000');
  octal(329, 8, fields.devmajor ?? 0);
  octal(337, 8, fields.devminor ?? 0);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** Two zero blocks: the end-of-archive marker. */
export const TAR_END = new Uint8Array(1024);

/** A tar stream of header-only entries made with {@link rawTarHeader}, end marker included. */
export function rawTar(headers: Parameters<typeof rawTarHeader>[0][]): Uint8Array {
  return new Uint8Array(Buffer.concat([...headers.map(rawTarHeader), TAR_END]));
}
