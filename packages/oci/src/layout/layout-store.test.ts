import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DigestMismatchError } from '@metalayer/core';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../digest';
import { BlobNotFoundError, LayoutFormatError, ManifestFormatError, SizeMismatchError, ManifestNotFoundError } from '../errors/index';
import { EMPTY_BLOB, EMPTY_DESCRIPTOR, MediaType } from '../media-types';
import { encodeJson } from '../parse-json';
import { collectGarbage } from './layout-gc';
import { openLayout, type LayoutStore } from './layout-store';

const enc = new TextEncoder();

async function putImage(store: LayoutStore, seed: string, tag?: string) {
  const layer = await store.putBlob(enc.encode(`layer ${seed}`));
  const config = await store.putBlob(encodeJson({ rootfs: { type: 'layers', diff_ids: [layer.digest] } }));
  const manifest = encodeJson({
    schemaVersion: 2,
    mediaType: MediaType.imageManifest,
    config: { mediaType: MediaType.imageConfig, ...config },
    layers: [{ mediaType: MediaType.layerTar, ...layer }],
  });
  return { layer, config, descriptor: await store.putManifest(manifest, { tag }), manifest };
}

async function putArtifact(store: LayoutStore, subject: { digest: string; size: number }, note: string) {
  await store.putBlob(EMPTY_BLOB);
  const payload = await store.putBlob(enc.encode(note));
  const bytes = encodeJson({
    schemaVersion: 2,
    mediaType: MediaType.imageManifest,
    artifactType: 'application/vnd.example.note',
    config: EMPTY_DESCRIPTOR,
    layers: [{ mediaType: 'text/plain', ...payload }],
    subject: { mediaType: MediaType.imageManifest, ...subject },
    annotations: { 'org.example.note': note },
  });
  return store.putManifest(bytes);
}

async function expectError<T>(promise: Promise<unknown>, is: (e: unknown) => e is T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(is(error), String(error)).toBe(true);
  return error as T;
}

describe('LayoutStore', () => {
  const tmp = useTempDir();
  let n = 0;
  const fresh = () => openLayout(join(tmp, `l${n++}`), { create: true });

  it('creates a layout other tools accept and round-trips blobs and tags', async () => {
    const store = await fresh();
    expect(JSON.parse(await readFile(join(store.path, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const { descriptor, manifest, config } = await putImage(store, 'a', 'v1');
    expect(descriptor.digest).toBe(digestOf(manifest));
    const got = await store.getManifest('v1');
    expect(got.descriptor.digest).toBe(descriptor.digest);
    expect(Buffer.from(got.parsed.bytes).equals(Buffer.from(manifest))).toBe(true);
    expect(await store.readBlob(config)).toEqual(new Uint8Array(await readFile(join(store.path, 'blobs/sha256', config.digest.slice(7)))));
    expect(await store.listTags()).toEqual(['v1']);
    const index = JSON.parse(await readFile(join(store.path, 'index.json'), 'utf8'));
    expect(index.mediaType).toBe(MediaType.imageIndex);
    expect(index.manifests[0].annotations).toEqual({ 'org.opencontainers.image.ref.name': 'v1' });
  });

  it('retag keeps the old entry untagged, like skopeo', async () => {
    const store = await fresh();
    const a = await putImage(store, 'a', 'latest');
    const b = await putImage(store, 'b', 'latest');
    const { manifests } = await store.readIndex();
    expect(manifests.map((m) => [m.digest, m.annotations])).toEqual([
      [a.descriptor.digest, undefined],
      [b.descriptor.digest, { 'org.opencontainers.image.ref.name': 'latest' }],
    ]);
    expect((await store.getManifest('latest')).descriptor.digest).toBe(b.descriptor.digest);
  });

  it('a blob write with a wrong digest throws and leaves nothing behind', async () => {
    const store = await fresh();
    const before = await readFile(join(store.path, 'index.json'));
    await expectError(
      store.putBlob(enc.encode('x'), { expected: { digest: digestOf(enc.encode('y')), size: 1 } }),
      DigestMismatchError.isInstance,
    );
    await expectError(
      store.putBlob(enc.encode('xx'), { expected: { digest: digestOf(enc.encode('x')), size: 1 } }),
      SizeMismatchError.isInstance,
    );
    expect(await readdir(join(store.path, 'blobs/sha256'))).toEqual([]);
    expect(await readdir(join(store.path, 'ingest'))).toEqual([]);
    expect(await readFile(join(store.path, 'index.json'))).toEqual(before);
  });

  it('reads verify digest and size: corrupted, truncated, padded blobs', async () => {
    const store = await fresh();
    const { layer } = await putImage(store, 'c', 't');
    const path = join(store.path, 'blobs/sha256', layer.digest.slice(7));
    await writeFile(path, 'layer X'); // same length, other bytes
    await expectError(store.readBlob(layer), DigestMismatchError.isInstance);
    await truncate(path, 3);
    const short = await expectError(store.readBlob(layer), SizeMismatchError.isInstance);
    expect([short.expected, short.actual]).toEqual([7, 3]);
    await writeFile(path, 'layer c and more');
    await expectError(store.readBlob(layer), SizeMismatchError.isInstance);
  });

  it('hostile index.json and manifests give typed errors', async () => {
    const store = await fresh();
    const { descriptor } = await putImage(store, 'd', 'ok');
    const indexPath = join(store.path, 'index.json');
    const good = await readFile(indexPath, 'utf8');
    await writeFile(indexPath, good.slice(0, -5));
    await expectError(store.getManifest('ok'), LayoutFormatError.isInstance);
    await expectError(openLayout(store.path), LayoutFormatError.isInstance);
    await writeFile(indexPath, good);
    await expectError(store.getManifest('nope'), ManifestNotFoundError.isInstance);
    // a manifest blob that is not JSON, stored under its true digest
    const junk = await store.putBlob(enc.encode('{"schemaVersion":2,'));
    await expectError(store.getManifest(junk.digest), ManifestFormatError.isInstance);
    // a tag pointing at a missing blob
    await rm(join(store.path, 'blobs/sha256', descriptor.digest.slice(7)));
    const missing = await expectError(store.getManifest('ok'), BlobNotFoundError.isInstance);
    expect(missing.message).toContain(`tag ok points at ${descriptor.digest}`);
    expect(await readFile(indexPath, 'utf8')).toBe(good);
  });

  it('refuses to tag a manifest whose blob is missing, or to store one whose layers are missing', async () => {
    const store = await fresh();
    const before = await readFile(join(store.path, 'index.json'));
    const dangling = encodeJson({
      schemaVersion: 2,
      mediaType: MediaType.imageManifest,
      config: EMPTY_DESCRIPTOR,
      layers: [{ mediaType: MediaType.layerTar, digest: digestOf(enc.encode('absent')), size: 6 }],
    });
    await store.putBlob(EMPTY_BLOB);
    await expectError(store.putManifest(dangling, { tag: 'x' }), BlobNotFoundError.isInstance);
    expect(await store.statBlob(digestOf(dangling))).toBeUndefined();
    await expectError(
      store.tag('x', { mediaType: MediaType.imageManifest, digest: digestOf(enc.encode('none')), size: 4 }),
      BlobNotFoundError.isInstance,
    );
    expect(await readFile(join(store.path, 'index.json'))).toEqual(before);
  });

  it('tolerates what other tools write: no mediaType, unknown entries', async () => {
    const dir = join(tmp, 'foreign');
    await mkdir(join(dir, 'blobs/sha256'), { recursive: true });
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion": "1.0.0", "extra": true}');
    await writeFile(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.example.unknown',
            digest: `sha256:${'1'.repeat(64)}`,
            size: 3,
            annotations: { 'org.opencontainers.image.ref.name': 'odd' },
          },
        ],
      }),
    );
    await mkdir(join(dir, 'unrelated-dir'));
    const store = await openLayout(dir);
    const { descriptor } = await putImage(store, 'e', 'mine');
    expect(await store.listTags()).toEqual(['odd', 'mine']);
    expect((await store.getManifest('mine')).descriptor.digest).toBe(descriptor.digest);
  });

  it('keeps referrers as untagged index.json entries and finds them, also via a fallback tag', async () => {
    const store = await fresh();
    const { descriptor } = await putImage(store, 'f', 'img');
    const note = await putArtifact(store, descriptor, 'hello');
    const entry = (await store.readIndex()).manifests.find((m) => m.digest === note.digest);
    expect(entry).toEqual({ ...note, artifactType: 'application/vnd.example.note', annotations: { 'org.example.note': 'hello' } });
    expect(await store.listReferrers(descriptor.digest)).toEqual([entry]);
    expect(await store.listReferrers(descriptor.digest, { artifactType: 'other/type' })).toEqual([]);
    // a layout copied from a fallback registry: referrer reachable only through the sha256-<hex> tag
    const other = await putArtifact(store, descriptor, 'second');
    await store.updateIndex((entries) => entries.filter((e) => e.digest !== other.digest));
    const fallback = encodeJson({ schemaVersion: 2, mediaType: MediaType.imageIndex, manifests: [other] });
    await store.putManifest(fallback, { tag: `sha256-${descriptor.digest.slice(7)}` });
    expect((await store.listReferrers(descriptor.digest)).map((d) => d.digest).sort()).toEqual([note.digest, other.digest].sort());
  });

  it('concurrent writers never lose an index.json update', async () => {
    const dir = join(tmp, 'concurrent');
    await openLayout(dir, { create: true });
    const writers = await Promise.all([0, 1, 2, 3].map(() => openLayout(dir)));
    await Promise.all(writers.flatMap((w, i) => [0, 1, 2, 3, 4].map((j) => putImage(w, `${i}-${j}`, `t${i}-${j}`))));
    expect((await writers[0]!.listTags()).sort()).toHaveLength(20);
  });

  it('waits for a lock held by another process and breaks one left by a dead process', async () => {
    const store = await fresh();
    const lock = join(store.path, 'index.json.lock');
    const holder = spawn(process.execPath, [
      '-e',
      `
      const fs = require('fs'); const os = require('os');
      fs.writeFileSync(${JSON.stringify(lock)}, process.pid + ' ' + os.hostname() + '\\n', { flag: 'wx' });
      console.log('locked'); setTimeout(() => { fs.rmSync(${JSON.stringify(lock)}); process.exit(0); }, 300);`,
    ]);
    await new Promise((r) => holder.stdout.once('data', r));
    const exited = new Promise((r) => holder.once('exit', r));
    await putImage(store, 'g', 'after-wait');
    await exited;
    expect(await store.listTags()).toEqual(['after-wait']);
    // a crash left a lock (dead pid), a torn temp index.json and a half-written blob
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    await writeFile(lock, `${dead.pid} ${(await import('node:os')).hostname()}\n`);
    await writeFile(join(store.path, '.index.json.tmp-deadbeef'), '{"schemaVersion":2,"manif');
    await writeFile(join(store.path, 'ingest', 'partial'), 'half a blob');
    await utimes(join(store.path, 'ingest', 'partial'), 0, 0);
    await putImage(store, 'h', 'after-crash');
    expect(await store.listTags()).toEqual(['after-wait', 'after-crash']);
    await collectGarbage(store, { graceMs: 0 });
    expect(await readdir(join(store.path, 'ingest'))).toEqual([]);
  });

  it('garbage collection removes only unreachable blobs', async () => {
    const store = await fresh();
    const kept = await putImage(store, 'i', 'keep');
    const note = await putArtifact(store, kept.descriptor, 'ref');
    const stray = await store.putBlob(enc.encode('stray'));
    const dropped = await putImage(store, 'j', 'drop');
    await store.updateIndex((entries) => entries.filter((e) => e.digest !== dropped.descriptor.digest));
    expect((await collectGarbage(store, { graceMs: 60_000 })).removed).toEqual([]);
    const result = await collectGarbage(store, { graceMs: 0 });
    expect(result.removed.sort()).toEqual([stray.digest, dropped.descriptor.digest, dropped.layer.digest, dropped.config.digest].sort());
    for (const d of [kept.descriptor, kept.layer, kept.config, note, EMPTY_DESCRIPTOR]) expect(await store.statBlob(d.digest)).toBe(d.size);
  });
});
