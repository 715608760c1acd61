#!/usr/bin/env node
// Measures peak RSS while `copyImage` moves an image with a 1 GiB layer
// layout → registry (Debian docker-registry on loopback) → layout.
// Each phase runs in its own process so its peak (getrusage maxRSS) is its own.
// Needs a build first (`pnpm build`, or `npx tsup` in packages/oci).
// Usage: node packages/oci/scripts/copy-rss.mjs [SIZE_MIB]
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const oci = await import(join(here, '..', 'dist', 'index.js'));
const [phase, ...args] = ['generate', 'copy'].includes(process.argv[2]) ? process.argv.slice(2) : ['main', ...process.argv.slice(2)];

function peakMiB() {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Deterministic incompressible bytes: a SHA-256 counter stream, 1 MiB at a time. */
async function* pseudoRandom(size) {
  const block = 1 << 20;
  for (let done = 0, i = 0; done < size; i++) {
    const chunk = Buffer.allocUnsafe(Math.min(block, size - done));
    for (let o = 0; o < chunk.length; o += 32) createHash('sha256').update(`${i}:${o}`).digest().copy(chunk, o);
    done += chunk.length;
    yield chunk;
  }
}

async function generate(dir, size) {
  const store = await oci.openLayout(dir, { create: true });
  const small = await oci.putLayer(store, [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/hello', type: 'file', body: new TextEncoder().encode('hi\n') },
  ]);
  const big = await oci.putLayer(store, [{ name: 'big.bin', type: 'file', size, body: pseudoRandom(size) }], { compression: 'none' });
  const config = await store.putBlob(
    oci.encodeJson({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [small.diffId, big.diffId] } }),
  );
  const manifest = oci.encodeJson({
    schemaVersion: 2,
    mediaType: oci.MediaType.imageManifest,
    config: { mediaType: oci.MediaType.imageConfig, ...config },
    layers: [small.descriptor, big.descriptor],
  });
  const descriptor = await store.putManifest(manifest, { tag: 'big' });
  return { digest: descriptor.digest, layer: big.descriptor.size };
}

async function copy(src, dest) {
  const from = await oci.openImageStore(src, { tlsVerify: false });
  const to = await oci.openImageStore(dest, { tlsVerify: false, create: true });
  const result = await oci.copyImage(from.store, from.target, to.store, { tag: to.reference.tag });
  return { digest: result.manifest.digest, bytesCopied: result.bytesCopied };
}

if (phase === 'generate') {
  const r = await generate(args[0], Number(args[1]));
  console.log(JSON.stringify({ ...r, peakRssMiB: peakMiB() }));
} else if (phase === 'copy') {
  const r = await copy(args[0], args[1]);
  console.log(JSON.stringify({ ...r, peakRssMiB: peakMiB() }));
} else {
  const sizeMiB = Number(args[0] ?? 1024);
  const tmp = mkdtempSync(join(tmpdir(), 'metalayer-rss-'));
  const port = await new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => r(p));
    });
  });
  const host = `127.0.0.1:${port}`;
  writeFileSync(
    join(tmp, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(tmp, 'registry')}\nhttp:\n  addr: ${host}\n`,
  );
  const registry = spawn('/usr/bin/docker-registry', ['serve', join(tmp, 'config.yml')], { stdio: 'ignore' });
  const self = fileURLToPath(import.meta.url);
  const child = (...a) => JSON.parse(execFileSync(process.execPath, [self, ...a], { maxBuffer: 1 << 20 }).toString());
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`http://${host}/v2/`)).ok) break;
      } catch {
        /* starting */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const results = {
      generate: child('generate', join(tmp, 'a'), String(sizeMiB * 1024 * 1024)),
      push: child('copy', `oci:${join(tmp, 'a')}:big`, `docker://${host}/rss/big:big`),
      pull: child('copy', `docker://${host}/rss/big:big`, `oci:${join(tmp, 'b')}:big`),
    };
    const same = results.generate.digest === results.push.digest && results.push.digest === results.pull.digest;
    console.log(JSON.stringify({ layerMiB: sizeMiB, node: process.version, identicalDigests: same, ...results }, null, 2));
    if (!same) process.exitCode = 1;
  } finally {
    registry.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  }
}
