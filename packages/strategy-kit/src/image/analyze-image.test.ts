import { DEFAULT_DIGEST_SPEC, type ImageStore } from '@metalayer/core';
import { encodeJson, MediaType, openLayout, putLayer, resolveImage, type TarWriteEntry } from '@metalayer/oci';
import { computeBootableImageIds } from '@metalayer/rootfs';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { analyzeImage } from './analyze-image';

const enc = new TextEncoder();
const dir = (name: string, mtime: number, mode = 0o755): TarWriteEntry => ({ name: `${name}/`, type: 'directory', mode, mtime });

async function image(store: ImageStore, tag: string, extra: TarWriteEntry[]): Promise<void> {
  const base = await putLayer(store, [
    dir('usr', 100),
    { name: 'usr/file', type: 'file', mtime: 100, body: enc.encode('x'.repeat(100)) },
    dir('boot', 200, 0o700),
    dir('sysroot', 300),
  ]);
  const layers = [base];
  if (extra.length) layers.push(await putLayer(store, extra));
  const config = { rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } };
  const configBlob = await store.putBlob(encodeJson(config));
  const manifest = { schemaVersion: 2, mediaType: MediaType.imageManifest, config: { mediaType: MediaType.imageConfig, ...configBlob }, layers: layers.map((l) => l.descriptor) };
  await store.putManifest(encodeJson(manifest), { tag });
}

describe('analyzeImage', () => {
  const tmp = useTempDir();
  const ctx = { tempDir: tmp };

  it('computes the bootable digests rootfs computes, and the merged metadata of directories', async () => {
    const store = await openLayout(`${tmp}/a`, { create: true });
    await image(store, 'a', [{ ...dir('boot', 999, 0o750), uid: 7, mtime: { seconds: 999, nanoseconds: 5 } }]);
    const resolved = await resolveImage(store, 'a');
    const specs = [DEFAULT_DIGEST_SPEC, { algorithm: 'sha256', erofsVersion: 0 }] as const;
    const analysis = await analyzeImage(ctx, store, resolved, { specs, directories: ['boot', 'usr', 'usr/file', 'missing'] });
    const expected = await computeBootableImageIds(store, resolved, specs);
    expect(analysis.digests).toEqual(expected.map(({ algorithm, erofsVersion, hex }) => ({ algorithm, erofsVersion, hex })));
    expect(analysis.directories.get('boot')).toEqual({ mode: 0o750, uid: 7, gid: 0, mtime: { seconds: 999, nanoseconds: 5 }, xattrs: new Map() });
    expect(analysis.directories.get('usr')?.mtime.seconds).toBe(100);
    expect(analysis.directories.get('usr/file')).toBeUndefined();
    expect(analysis.directories.has('missing')).toBe(true);
    expect(analysis.directories.get('missing')).toBeUndefined();
  });

  it('ignores what a later layer writes below /boot, and not what it writes elsewhere', async () => {
    const store = await openLayout(`${tmp}/b`, { create: true });
    await image(store, 'plain', []);
    await image(store, 'kernel', [dir('boot', 200, 0o700), { name: 'boot/vmlinuz', type: 'file', mtime: 5, body: enc.encode('kernel') }]);
    await image(store, 'other', [dir('usr', 100), { name: 'usr/extra', type: 'file', mtime: 5, body: enc.encode('x') }]);
    const digest = async (tag: string) =>
      (await analyzeImage(ctx, store, await resolveImage(store, tag), { specs: [DEFAULT_DIGEST_SPEC] })).digests[0]!.hex;
    expect(await digest('kernel')).toBe(await digest('plain'));
    expect(await digest('other')).not.toBe(await digest('plain'));
  });
});
