/**
 * Source of the worker thread that computes fs-verity level-0 block hashes.
 * It is evaluated (`new Worker(source, { eval: true })`) rather than loaded
 * from a file so that it runs unchanged from the TypeScript sources (tests)
 * and from the bundled `dist/` (tsup emits no separate worker entry).
 *
 * Protocol: `workerData.algorithms` lists the hash names. Each message
 * `{ id, buffer, segments }` holds a SharedArrayBuffer and a Float64Array of
 * `[start, length]` pairs; every segment is cut into 4096-byte blocks (the
 * last one zero-padded, as fs-verity pads) and each block is hashed with
 * every algorithm. The reply `{ id, hashes }` carries, segment by segment and
 * algorithm by algorithm, the block digests back to back.
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
const algorithms = workerData.algorithms;
const sizes = algorithms.map((a) => (a === 'sha512' ? 64 : 32));
const hashFns = algorithms.map((a) =>
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash(a, data, 'buffer')
    : (data) => crypto.createHash(a).update(data).digest());
const pad = new Uint8Array(BLOCK);
const streams = new Map();
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
  for (let i = 0; i < segments.length; i += 2) {
    const blocks = Math.ceil(segments[i + 1] / BLOCK);
    for (const size of sizes) total += blocks * size;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (let i = 0; i < segments.length; i += 2) {
    const start = segments[i];
    const end = start + segments[i + 1];
    for (let a = 0; a < algorithms.length; a++) {
      const fn = hashFns[a];
      for (let p = start; p < end; p += BLOCK) {
        let block;
        if (end - p >= BLOCK) block = data.subarray(p, p + BLOCK);
        else {
          pad.fill(0);
          pad.set(data.subarray(p, end));
          block = pad;
        }
        out.set(fn(block), o);
        o += sizes[a];
      }
    }
  }
  parentPort.postMessage({ id: message.id, hashes: out.buffer }, [out.buffer]);
});
`;
