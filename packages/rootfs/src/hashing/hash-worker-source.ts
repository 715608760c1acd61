/**
 * Source of the worker thread that computes fs-verity digests. It is
 * evaluated (`new Worker(source, { eval: true })`) rather than loaded from a
 * file so that it runs unchanged from the TypeScript sources (tests) and from
 * the bundled `dist/` (tsup emits no separate worker entry).
 *
 * Protocol: `workerData.algorithms` lists the hash names. Each message
 * `{ id, buffer, segments }` holds a SharedArrayBuffer and a Float64Array of
 * `[start, length, whole]` triples. A `whole` segment is an entire file: its
 * complete fs-verity digest is returned (Linux `fsverity_descriptor` v1,
 * 4096-byte blocks, no salt). Any other segment is a piece of a larger file:
 * its 4096-byte blocks (the last one zero-padded, as fs-verity pads) are
 * hashed and the level-0 hashes returned, the caller builds the tree. The
 * reply `{ id, hashes }` carries, segment by segment and algorithm by
 * algorithm, the digests back to back.
 *
 * A message with `stream` instead carries the next `length` bytes of a plain
 * digest computed across messages (a layer's diff_id): it stays on one worker,
 * whose queue keeps the order; the reply to the `final` one holds the hex digest.
 */
export const HASH_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const BLOCK = 4096;
const LOG_BLOCK = 12;
const DESCRIPTOR = 256;
const algorithms = workerData.algorithms;
const sizes = algorithms.map((a) => (a === 'sha512' ? 64 : 32));
const ids = algorithms.map((a) => (a === 'sha512' ? 2 : 1));
// Digests as latin1 strings: a few percent faster than Buffers for 4 KiB blocks, and no
// ArrayBuffer per block for the garbage collector.
const hashFns = algorithms.map((a) =>
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash(a, data, 'latin1')
    : (data) => crypto.createHash(a).update(data).digest('latin1'));
const pad = new Uint8Array(BLOCK);
const streams = new Map();

function put(out, o, digest) {
  for (let i = 0; i < digest.length; i++) out[o + i] = digest.charCodeAt(i);
}

function blockHashes(fn, size, data, start, end, out, o) {
  for (let p = start; p < end; p += BLOCK) {
    let block;
    if (end - p >= BLOCK) block = data.subarray(p, p + BLOCK);
    else {
      pad.fill(0);
      pad.set(data.subarray(p, end));
      block = pad;
    }
    put(out, o, fn(block));
    o += size;
  }
  return o;
}

function fileDigest(a, data, start, end) {
  const fn = hashFns[a];
  const size = sizes[a];
  const length = end - start;
  const descriptor = new Uint8Array(DESCRIPTOR);
  descriptor[0] = 1;
  descriptor[1] = ids[a];
  descriptor[2] = LOG_BLOCK;
  new DataView(descriptor.buffer).setBigUint64(8, BigInt(length), true);
  if (length > 0) {
    let level = new Uint8Array(Math.ceil(length / BLOCK) * size);
    blockHashes(fn, size, data, start, end, level, 0);
    while (level.length > size) {
      const next = new Uint8Array(Math.ceil(level.length / BLOCK) * size);
      blockHashes(fn, size, level, 0, level.length, next, 0);
      level = next;
    }
    descriptor.set(level, 16);
  }
  return fn(descriptor);
}

parentPort.on('message', (message) => {
  const data = new Uint8Array(message.buffer);
  if (message.stream !== undefined) {
    let hash = streams.get(message.stream);
    if (hash === undefined) streams.set(message.stream, (hash = crypto.createHash(message.algorithm)));
    hash.update(data.subarray(0, message.length));
    let digest;
    if (message.final) {
      streams.delete(message.stream);
      digest = hash.digest('hex');
    }
    parentPort.postMessage({ id: message.id, digest });
    return;
  }
  const segments = message.segments;
  let total = 0;
  for (let i = 0; i < segments.length; i += 3) {
    const blocks = segments[i + 2] ? 1 : Math.ceil(segments[i + 1] / BLOCK);
    for (const size of sizes) total += blocks * size;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (let i = 0; i < segments.length; i += 3) {
    const start = segments[i];
    const end = start + segments[i + 1];
    for (let a = 0; a < algorithms.length; a++) {
      if (segments[i + 2]) {
        put(out, o, fileDigest(a, data, start, end));
        o += sizes[a];
      } else {
        o = blockHashes(hashFns[a], sizes[a], data, start, end, out, o);
      }
    }
  }
  parentPort.postMessage({ id: message.id, hashes: out.buffer }, [out.buffer]);
});
`;
