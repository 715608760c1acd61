/**
 * Test-only: builds small multi-layer images and artifacts in any ImageStore.
 * Not part of the published entry point; other packages' tests import it by
 * relative path.
 */
import { digestOf } from '../digest';
import { putLayer } from '../layer/layer-writer';
import { EMPTY_BLOB, EMPTY_DESCRIPTOR, MediaType } from '../media-types';
import { encodeJson } from '../parse-json';
import type { ImageStore } from '@metalayer/core';
import type { TarWriteEntry } from '../tar/tar-writer';
import type { Descriptor } from '@metalayer/core';

const enc = new TextEncoder();

/** A built test image. */
export interface TestImage {
  manifest: Descriptor;
  manifestBytes: Uint8Array;
  config: Descriptor;
  layers: Descriptor[];
  diffIds: string[];
}

/** Layer contents of the default test image: a base, an update, and a whiteout. */
export function defaultLayers(seed = 'img'): TarWriteEntry[][] {
  return [
    [
      { name: 'etc/', type: 'directory', mtime: 1_700_000_000 },
      { name: 'etc/hello', type: 'file', body: enc.encode(`hello ${seed}\n`), mtime: 1_700_000_000 },
      { name: 'boot/', type: 'directory', mode: 0o700, mtime: 1_700_000_000 },
      { name: 'boot/keep', type: 'file', body: enc.encode('keep\n'), mtime: 1_700_000_000 },
      { name: 'usr/', type: 'directory', mtime: 1_700_000_000 },
      { name: 'usr/bin/', type: 'directory', mtime: 1_700_000_000 },
      { name: 'usr/bin/tool', type: 'file', mode: 0o755, body: enc.encode(`#!/bin/sh\necho ${seed}\n`), mtime: 1_700_000_000 },
    ],
    [
      { name: 'etc/hello', type: 'file', body: enc.encode(`hello again ${seed}\n`), mtime: 1_700_000_100 },
      { name: 'etc/link', type: 'symlink', linkname: 'hello', mtime: 1_700_000_100 },
    ],
    [{ name: 'boot/.wh.keep', type: 'file', mtime: 1_700_000_200 }],
  ];
}

/** Writes an image (layers alternate tar+gzip and tar) and its manifest, optionally tagged. */
export async function putTestImage(
  store: ImageStore,
  options: { tag?: string; layers?: TarWriteEntry[][]; seed?: string; annotations?: Record<string, string> } = {},
): Promise<TestImage> {
  const layers: Descriptor[] = [];
  const diffIds: string[] = [];
  for (const [i, entries] of (options.layers ?? defaultLayers(options.seed)).entries()) {
    const { descriptor, diffId } = await putLayer(store, entries, { compression: i % 2 === 0 ? 'gzip' : 'none' });
    layers.push(descriptor);
    diffIds.push(diffId);
  }
  const configBytes = encodeJson({
    architecture: 'amd64',
    os: 'linux',
    config: { Labels: { 'org.example.seed': options.seed ?? 'img' } },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map((_, i) => ({ created_by: `layer ${i}` })),
  });
  const config = { mediaType: MediaType.imageConfig, ...(await store.putBlob(configBytes)) };
  const manifestBytes = encodeJson({
    schemaVersion: 2,
    mediaType: MediaType.imageManifest,
    config,
    layers,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  const manifest = await store.putManifest(manifestBytes, options.tag ? { tag: options.tag } : { root: true });
  return { manifest, manifestBytes, config, layers, diffIds };
}

/** Writes an artifact (empty config, one payload layer) whose subject is `subject`. */
export async function putTestArtifact(
  store: ImageStore,
  subject: Descriptor,
  options: { artifactType?: string; payload?: Uint8Array; annotations?: Record<string, string>; tag?: string } = {},
): Promise<{ descriptor: Descriptor; bytes: Uint8Array }> {
  await store.putBlob(EMPTY_BLOB, { expected: { digest: EMPTY_DESCRIPTOR.digest, size: EMPTY_DESCRIPTOR.size } });
  const payload = options.payload ?? enc.encode(`payload for ${subject.digest}\n`);
  const blob = await store.putBlob(payload);
  const bytes = encodeJson({
    schemaVersion: 2,
    mediaType: MediaType.imageManifest,
    artifactType: options.artifactType ?? 'application/vnd.example.signature',
    config: EMPTY_DESCRIPTOR,
    layers: [{ mediaType: 'application/octet-stream', ...blob, annotations: { 'org.opencontainers.image.title': 'payload.bin' } }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: options.annotations ?? { 'org.example.kind': 'test' },
  });
  const descriptor = await store.putManifest(bytes, options.tag ? { tag: options.tag } : {});
  if (descriptor.digest !== digestOf(bytes)) throw new Error('store changed the artifact bytes');
  return { descriptor, bytes };
}
