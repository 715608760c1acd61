import { createHash } from 'node:crypto';
import { verifyStream } from '../digest';
import type { BlobInfo, PutBlobOptions } from '@metalayer/core';
import type { RegistryStore } from './registry-store';

const OCTET_STREAM = 'application/octet-stream';

/** Regroups a stream into chunks of exactly `size` bytes (the last may be shorter); memory stays at one chunk. */
async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (let chunk of source) {
    while (chunk.length) {
      const n = Math.min(size - filled, chunk.length);
      buffer.set(chunk.subarray(0, n), filled);
      filled += n;
      chunk = chunk.subarray(n);
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled) yield buffer.subarray(0, filled);
}

async function* counting(source: AsyncIterable<Uint8Array>, onProgress?: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    onProgress?.(total);
    yield chunk;
  }
}

async function uploadUrl(store: RegistryStore, location: string | null, digest?: string): Promise<string> {
  if (!location) throw new Error(`${store.location}: upload response without Location header`);
  const url = new URL(location, await store.client.baseUrl());
  if (digest) url.searchParams.set('digest', digest);
  return url.toString();
}

/**
 * Uploads a blob (distribution spec "Pushing blobs"). Known digest: one
 * monolithic `PUT`, the body streamed and checked against `expected` as it
 * goes. Unknown digest: `PATCH` chunks with `Content-Range` while hashing,
 * then `PUT ?digest=`. Skips blobs the repository already has.
 */
export async function uploadBlob(
  store: RegistryStore,
  content: Uint8Array | AsyncIterable<Uint8Array>,
  options: PutBlobOptions = {},
): Promise<BlobInfo> {
  const { expected, onProgress, signal } = options;
  if (expected && (await store.statBlob(expected.digest, signal)) !== undefined) return { ...expected };
  const scope = store.scope(true);
  const start = await store.client.request({
    method: 'POST',
    path: `/v2/${store.repository}/blobs/uploads/`,
    scope,
    headers: { 'content-length': '0' },
    accept: [202],
    signal,
  });
  await start.body?.cancel();
  let location = start.headers.get('location');
  if (expected) {
    const body =
      content instanceof Uint8Array
        ? content
        : verifyStream(counting(content, onProgress), expected, `upload of ${expected.digest} to ${store.location}`);
    const done = await store.client.request({
      method: 'PUT',
      path: await uploadUrl(store, location, expected.digest),
      scope,
      // Registry 2.8 parses a PUT without this Content-Type as a form and loses the body.
      headers: { 'content-type': OCTET_STREAM, 'content-length': String(expected.size) },
      body,
      accept: [201, 204],
      signal,
    });
    await done.body?.cancel();
    if (content instanceof Uint8Array) onProgress?.(content.length);
    return { ...expected };
  }
  const hash = createHash('sha256');
  let offset = 0;
  const source =
    content instanceof Uint8Array
      ? (async function* () {
          yield content;
        })()
      : content;
  for await (const chunk of rechunk(source, store.chunkSize)) {
    hash.update(chunk);
    const response = await store.client.request({
      method: 'PATCH',
      path: await uploadUrl(store, location),
      scope,
      headers: {
        'content-type': OCTET_STREAM,
        'content-length': String(chunk.length),
        'content-range': `${offset}-${offset + chunk.length - 1}`,
      },
      body: chunk,
      accept: [202],
      signal,
    });
    await response.body?.cancel();
    location = response.headers.get('location') ?? location;
    offset += chunk.length;
    onProgress?.(offset);
  }
  const digest = `sha256:${hash.digest('hex')}`;
  const done = await store.client.request({
    method: 'PUT',
    path: await uploadUrl(store, location, digest),
    scope,
    headers: { 'content-type': OCTET_STREAM, 'content-length': '0' },
    accept: [201, 204],
    signal,
  });
  await done.body?.cancel();
  return { digest, size: offset };
}
