// compute-id on a generated image (≥ 1 GiB, ≥ 50k files), uncompressed and gzip layers,
// against `openssl dgst -sha256` of the uncompressed layer bytes and `gzip -dc` of the gzip
// layers, measured in the same run; peak RSS of the compute-id process.
import { spawnSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { encodeLayer, MediaType, openLayout } from '../../packages/oci/dist/index.js';
import { fmtMiB, fmtMs, printTable, timedCommand, which } from './lib.mjs';

export const title = 'compute-id: ≥ 1 GiB, 60k-file image vs openssl dgst -sha256 and gzip -dc';

const FILES = 60_000;
const DIRS = 1_500;
const LAYERS = 4;
const BIG_FILES = 16;
const BIG_SIZE = 40 * 2 ** 20;
const RUNS = 3;

/** Deterministic content: half AES-CTR keystream (incompressible), half repeated text (compressible). */
function contentMaker() {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 3), Buffer.alloc(16));
  const line = Buffer.from('the quick brown fox jumps over the lazy dog 0123456789\n');
  return (size) => {
    const out = Buffer.alloc(size);
    const random = Math.floor(size / 2);
    cipher.update(Buffer.alloc(random)).copy(out);
    for (let i = random; i < size; i += line.length) line.copy(out, i, 0, Math.min(line.length, size - i));
    return out;
  };
}

/** File sizes: mostly small (a few hundred bytes to ~40 KiB, like a distribution's files), a few large. */
function* layerEntries(layer, make) {
  let seed = 12345 + layer;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const dirsPerLayer = DIRS / LAYERS;
  yield { name: 'usr/', type: 'directory', mtime: 1_700_000_000 };
  for (let d = 0; d < dirsPerLayer; d++) yield { name: `usr/l${layer}d${d}/`, type: 'directory', mtime: 1_700_000_000 };
  const files = FILES / LAYERS;
  for (let f = 0; f < files; f++) {
    const size = Math.floor(Math.exp(4 + rand() * 6.7));
    yield { name: `usr/l${layer}d${f % dirsPerLayer}/f${f}`, type: 'file', mode: 0o644, mtime: 1_700_000_000, body: make(size) };
    if (f % 500 === 0) yield { name: `usr/l${layer}d${f % dirsPerLayer}/s${f}`, type: 'symlink', linkname: `f${f}` };
  }
  for (let b = 0; b < BIG_FILES / LAYERS; b++)
    yield { name: `usr/l${layer}d0/big${b}`, type: 'file', mode: 0o755, mtime: 1_700_000_000, body: make(BIG_SIZE) };
}

async function buildImage(dir, compression) {
  const store = await openLayout(dir, { create: true });
  const layers = [];
  const diffIds = [];
  let bytes = 0;
  const make = contentMaker();
  for (let i = 0; i < LAYERS; i++) {
    const encoded = encodeLayer(layerEntries(i, make), { compression, level: 1 });
    const info = await store.putBlob(encoded.stream);
    layers.push({ mediaType: encoded.mediaType, ...info });
    diffIds.push(encoded.diffId());
    bytes += encoded.uncompressedSize();
  }
  const enc = new TextEncoder();
  const config = {
    mediaType: MediaType.imageConfig,
    ...(await store.putBlob(
      enc.encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } })),
    )),
  };
  await store.putManifest(enc.encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.imageManifest, config, layers })), {
    tag: 'bench',
  });
  return { blobs: layers.map((l) => join(dir, 'blobs', ...l.digest.split(':'))), bytes };
}

function computeId(root, layout, algorithm, threads) {
  const args = [
    join(root, 'scripts/bench/compute-id-child.mjs'),
    layout,
    'bench',
    algorithm,
    ...(threads === undefined ? [] : [String(threads)]),
  ];
  const r = spawnSync(process.execPath, args, { maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`compute-id child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.toString());
}

/** Wall and CPU time (user + system, all threads) of a command, via GNU time when installed. */
function measured(cmd, args) {
  const time = which('time');
  if (!time) return { ...timedCommand(cmd, args), cpuMs: NaN };
  const start = process.hrtime.bigint();
  const r = spawnSync(time, ['-f', '%U %S', cmd, ...args], { maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [user, system] = r.stderr.toString().trim().split('\n').at(-1).split(' ').map(Number);
  return { ms, cpuMs: (user + system) * 1000 };
}

function bestOf(fn) {
  let best;
  for (let i = 0; i < RUNS; i++) {
    const r = fn();
    if (!best || r.ms < best.ms) best = { ...r, maxRssBytes: Math.max(r.maxRssBytes ?? 0, best?.maxRssBytes ?? 0) };
  }
  return best;
}

export async function run({ root, scratch }) {
  const openssl = which('openssl');
  const gzip = which('gzip');
  console.log(`generating ${FILES} files in ${LAYERS} layers, twice (tar and tar+gzip level 1)…`);
  const plain = await buildImage(join(scratch, 'compute-id-tar'), 'none');
  const gz = await buildImage(join(scratch, 'compute-id-gzip'), 'gzip');
  console.log(`image: ${fmtMiB(plain.bytes)} uncompressed, ${FILES} files`);
  const rows = [];
  const baseTar = openssl ? bestOf(() => measured(openssl, ['dgst', '-sha256', ...plain.blobs])) : undefined;
  const baseGzip = gzip ? bestOf(() => measured('sh', ['-c', `${gzip} -dc ${gz.blobs.join(' ')} > /dev/null`])) : undefined;
  const ids = new Set();
  for (const [label, image, base, baseLabel, target] of [
    ['tar', plain, baseTar, 'openssl dgst -sha256', 2.5],
    ['tar+gzip', gz, baseGzip, 'gzip -dc', 1.5],
  ]) {
    for (const algorithm of ['sha512', 'sha256']) {
      const r = bestOf(() => computeId(root, join(scratch, label === 'tar' ? 'compute-id-tar' : 'compute-id-gzip'), algorithm));
      ids.add(`${algorithm}:${r.hex}`);
      const ratio = base ? (r.ms / base.ms).toFixed(2) : 'n/a';
      const cpuRatio = base && Number.isFinite(base.cpuMs) ? `${(r.cpuMs / base.cpuMs).toFixed(2)}×` : 'n/a';
      rows.push([
        `${label}, ${algorithm}`,
        `${fmtMs(r.ms)} (cpu ${fmtMs(r.cpuMs)})`,
        base ? `${baseLabel}: ${fmtMs(base.ms)} (cpu ${fmtMs(base.cpuMs)})` : 'skipped',
        `${ratio}× (target ≤ ${target}×)`,
        cpuRatio,
        fmtMiB(r.maxRssBytes),
      ]);
    }
  }
  printTable(
    `compute-id (--erofs-version 1), best of ${RUNS}; ratio = compute-id wall time / baseline wall time (cpu ratio: CPU time, all threads); peak RSS target < 300 MiB; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    ['image, hash', 'compute-id', 'baseline', 'ratio', 'cpu ratio', 'peak RSS'],
    rows,
  );
  // Both images hold the same files: their ids must agree (a cheap end-to-end consistency check).
  if (ids.size !== 2) throw new Error(`tar and tar+gzip images gave different ids: ${[...ids].join(', ')}`);
}
