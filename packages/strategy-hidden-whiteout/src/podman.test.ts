import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DIGEST_SPEC, type StrategyContext } from '@metalayer/core';
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload, writeBaseImage } from '@metalayer/conformance';
import { openLayout, resolveImage } from '@metalayer/oci';
import { haveTools, useTempDir } from '@metalayer/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHiddenWhiteoutStrategy } from './hidden-whiteout-strategy';
import { PodmanStorage, podmanDriverProblem } from './test-support/podman-view';
import { putTestLayer, rewriteImage } from './test-support/rewrite-image';

const tools = haveStub() && haveTools('podman', 'getfattr', 'find', 'umount');

describe.skipIf(!tools)('hidden-whiteout: podman pulls the attached image and shows the base', () => {
  const tmp = useTempDir('hidden-whiteout-podman-');
  // Short: overlay refuses a run root longer than 50 characters.
  const storageDir = useTempDir('hwp-');
  const ctx: StrategyContext = { tempDir: tmp };
  const layoutName = 'layout';
  const storages: PodmanStorage[] = [];
  afterAll(() => {
    for (const storage of storages) storage.close();
  });

  beforeAll(async () => {
    const dir = join(tmp, layoutName);
    await writeBaseImage(dir);
    const store = await openLayout(dir);
    const strategy = createHiddenWhiteoutStrategy();
    for (const [kind, payload] of [
      ['uki', await makeUkiPayload(tmp, 'podman-uki')],
      ['bls', await makeBlsPayload(tmp, 'podman-bls')],
    ] as const) {
      const result = await strategy.attach(ctx, { image: { store, reference: BASE_TAG }, tag: kind, payload, digest: DEFAULT_DIGEST_SPEC });
      // Negative control: the meta layer without its whiteout layer.
      const image = await resolveImage(store, result.image.digest);
      const unhidden = await rewriteImage(store, image, { layers: (layers) => layers.slice(0, -1) });
      await store.putManifest((await store.getManifest(unhidden)).parsed.bytes, { tag: `${kind}-unhidden` });
    }
    // A base whose own history created /.metalayer and whited it out again: its merged tree has no /.metalayer.
    const created = await putTestLayer(store, [
      { name: '.metalayer/', type: 'directory' },
      { name: '.metalayer/old', type: 'file', body: new TextEncoder().encode('old\n') },
    ]);
    const removed = await putTestLayer(store, [{ name: '.wh..metalayer', type: 'file' }]);
    const history = await rewriteImage(store, await resolveImage(store, BASE_TAG), { layers: (layers) => [...layers, created, removed] });
    await store.putManifest((await store.getManifest(history)).parsed.bytes, { tag: 'history' });
    await strategy.attach(ctx, {
      image: { store, reference: 'history' },
      tag: 'history-uki',
      payload: await makeUkiPayload(tmp, 'podman-history'),
      digest: DEFAULT_DIGEST_SPEC,
    });
  });

  // vfs works everywhere; overlay needs root (or fuse-overlayfs) and a kernel that lets podman mount it.
  const probe = join(storageDir, 'probe');
  mkdirSync(probe);
  const overlayProblem = podmanDriverProblem(probe, 'overlay');
  if (overlayProblem) it.skip(`storage driver overlay is not usable here: ${overlayProblem}`, () => {});
  const drivers = overlayProblem ? (['vfs'] as const) : (['vfs', 'overlay'] as const);

  describe.each(drivers.map((d) => [d]))('storage driver %s', (driver) => {
    let storage: PodmanStorage;
    let baseView: string[];
    beforeAll(() => {
      storage = new PodmanStorage(join(storageDir, driver), driver);
      storages.push(storage);
      baseView = storage.view(storage.pull(tmp, layoutName, BASE_TAG));
      // The view is detailed enough to notice a lost hard link, capability or directory mode.
      expect(baseView).toContain('xattr security.capability=0sAQAAAgAgAAAAAAAAAAAAAAAAAAA=');
      expect(baseView.some((line) => line.startsWith('usr/bin/tool f 755 0:0 20000 2 '))).toBe(true);
      expect(baseView.some((line) => line.startsWith('boot d 700 0:0 '))).toBe(true);
    });

    it.each([['uki'], ['bls']])('%s: the merged root equals the base, with no trace of /.metalayer', (kind) => {
      const view = storage.view(storage.pull(tmp, layoutName, kind));
      expect(view).toEqual(baseView);
      expect(view.some((line) => line.includes('.metalayer'))).toBe(false);
    });

    it('a base whose layers created /.metalayer and whited it out: the attached image shows exactly that base', () => {
      const historyView = storage.view(storage.pull(tmp, layoutName, 'history'));
      expect(historyView.some((line) => line.includes('.metalayer'))).toBe(false);
      expect(storage.view(storage.pull(tmp, layoutName, 'history-uki'))).toEqual(historyView);
    });

    it.each([
      ['uki', '.metalayer/EFI/Linux/conformance.efi f 644'],
      ['bls', '.metalayer/loader/entries/conformance-6.99.0-conformance.conf f 644'],
    ])('%s without the whiteout layer (negative control): the payload shows', (kind, expected) => {
      const view = storage.view(storage.pull(tmp, layoutName, `${kind}-unhidden`));
      expect(view.some((line) => line.startsWith(expected))).toBe(true);
    });
  });
});
