import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AlreadyAttachedError,
  DEFAULT_DIGEST_SPEC,
  InvalidArgumentError,
  type BlsPayload,
  type BootPayload,
  type ImageStore,
  type StrategyContext,
  type UkiPayload,
} from '@metalayer/core';
import { UnsafePathError } from '@metalayer/boot';
import { BASE_TAG, containerView, haveStub, makeBlsPayload, makeUkiPayload, writeBaseImage } from '@metalayer/conformance';
import { openLayout, resolveImage, type TarWriteEntry } from '@metalayer/oci';
import { computeBootableDigests } from '@metalayer/strategy-kit';
import { haveTools, useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { PrivateDirectoryConflictError } from './errors/private-directory-conflict-error';
import { KEY_META_LAYER } from './hidden-whiteout-labels';
import { createHiddenWhiteoutStrategy } from './hidden-whiteout-strategy';
import { putTestLayer, rewriteImage } from './test-support/rewrite-image';

describe.skipIf(!haveStub())('hidden-whiteout attach: refusals', () => {
  const tmp = useTempDir('hidden-whiteout-attach-');
  const ctx: StrategyContext = { tempDir: tmp };
  let store: ImageStore;
  let ukiPayload: UkiPayload;
  let blsPayload: BlsPayload;
  let count = 0;

  beforeAll(async () => {
    await writeBaseImage(join(tmp, 'base'));
    await cp(join(tmp, 'base'), join(tmp, 'layout'), { recursive: true });
    store = await openLayout(join(tmp, 'layout'));
    ukiPayload = await makeUkiPayload(tmp, 'attach-uki');
    blsPayload = await makeBlsPayload(tmp, 'attach-bls');
  });

  const attach = (payload: BootPayload, reference = BASE_TAG, options = {}) =>
    createHiddenWhiteoutStrategy(options)
      .attach(ctx, { image: { store, reference }, tag: `t${count++}`, payload, digest: DEFAULT_DIGEST_SPEC })
      .catch((e: unknown) => e);

  /** The base plus one layer of `entries`. */
  const baseWith = async (entries: TarWriteEntry[]): Promise<string> => {
    const layer = await putTestLayer(store, entries);
    return rewriteImage(store, await resolveImage(store, BASE_TAG), { layers: (layers) => [...layers, layer] });
  };

  it.each([
    ['a /.metalayer directory', [{ name: '.metalayer/', type: 'directory' }], 'directory'],
    [
      'a file below /.metalayer',
      [
        { name: '.metalayer/', type: 'directory' },
        { name: '.metalayer/boot/', type: 'directory' },
        { name: './.metalayer/boot/x', type: 'file' },
      ],
      'directory',
    ],
    ['a /.metalayer regular file', [{ name: '.metalayer', type: 'file' }], 'regular'],
    ['a /.metalayer symlink', [{ name: '.metalayer', type: 'symlink', linkname: 'usr' }], 'symlink'],
    [
      'a /.metalayer that a whiteout first removed, then a directory re-created',
      [
        { name: '.wh..metalayer', type: 'file' },
        { name: '.metalayer/', type: 'directory' },
      ],
      'directory',
    ],
  ] as const)('refuses a base whose merged tree has %s: PrivateDirectoryConflictError', async (_what, entries, kind) => {
    const reference = await baseWith(entries as unknown as TarWriteEntry[]);
    const error = await attach(ukiPayload, reference);
    expect(PrivateDirectoryConflictError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ path: '/.metalayer', kind });
    expect(String(error)).toContain(`/.metalayer (a ${kind})`);
  });

  it('refuses an image that carries our labels, even when other layers follow: AlreadyAttachedError', async () => {
    const first = await createHiddenWhiteoutStrategy().attach(ctx, {
      image: { store, reference: BASE_TAG },
      payload: ukiPayload,
      digest: DEFAULT_DIGEST_SPEC,
    });
    const extra = await putTestLayer(store, [{ name: 'etc/derived', type: 'file' }]);
    const derived = await rewriteImage(store, await resolveImage(store, first.image.digest), { layers: (l) => [...l, extra] });
    const error = await attach(blsPayload, derived);
    expect(AlreadyAttachedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      strategy: 'hidden-whiteout',
      existing: `meta layer ${(await resolveImage(store, first.image.digest)).config.config!.Labels![KEY_META_LAYER]}`,
    });
  });

  it.each([['../evil.efi'], ['.wh.evil.efi'], ['EFI/evil.efi'], ['.hidden.efi'], ['evil efi.efi'], ['.efi'], ['']])(
    'refuses the UKI name %j: UnsafePathError',
    async (name) => {
      const error = await attach({ ...ukiPayload, uki: { ...ukiPayload.uki, name } });
      expect(UnsafePathError.isInstance(error), String(error)).toBe(true);
    },
  );

  it.each([['vmlinuz.img'], ['uki.EFI']])('refuses the UKI name %j that does not end in .efi: InvalidArgumentError', async (name) => {
    const error = await attach({ ...ukiPayload, uki: { ...ukiPayload.uki, name } });
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
  });

  it.each([
    ['kernel named .wh.vmlinuz', (p: BlsPayload): BlsPayload => ({ ...p, kernel: { ...p.kernel, name: '.wh.vmlinuz' } })],
    ['initrd named ..', (p: BlsPayload): BlsPayload => ({ ...p, initrds: [{ ...p.initrds[0]!, name: '..' }] })],
    ['kernel version with a slash', (p: BlsPayload): BlsPayload => ({ ...p, kernelVersion: '6.1/../../etc' })],
    ['os-release ID with a space', (p: BlsPayload): BlsPayload => ({ ...p, osRelease: 'ID="my os"\n' })],
  ])('refuses a BLS payload with a %s: UnsafePathError', async (_what, edit) => {
    const error = await attach(edit(blsPayload));
    expect(UnsafePathError.isInstance(error), String(error)).toBe(true);
  });

  it('refuses a BLS payload whose initrds share a file name: InvalidArgumentError', async () => {
    const error = await attach({
      ...blsPayload,
      initrds: [blsPayload.initrds[0]!, { ...blsPayload.initrds[1]!, name: blsPayload.initrds[0]!.name }],
    });
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
  });

  it('refuses a BLS payload without a kernel version when the kernel has none in its header', async () => {
    const { kernelVersion: _k, ...rest } = blsPayload;
    const error = await attach(rest);
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ argument: 'payload.kernelVersion' });
  });

  it('uses the entryToken option for the BLS entry and its directory', async () => {
    const result = await attach(blsPayload, BASE_TAG, { entryToken: 'custom' });
    const located = await createHiddenWhiteoutStrategy().locate(ctx, {
      store,
      reference: (result as { image: { digest: string } }).image.digest,
    });
    expect(located.origin.kind === 'layer' && located.origin.paths).toEqual([
      '.metalayer/loader/entries/custom-6.99.0-conformance.conf',
      '.metalayer/custom/6.99.0-conformance/vmlinuz',
      '.metalayer/custom/6.99.0-conformance/initrd',
      '.metalayer/custom/6.99.0-conformance/microcode',
    ]);
  });

  it('writes nothing into the store when it refuses', async () => {
    const before = await store.listTags();
    await attach({ ...ukiPayload, uki: { ...ukiPayload.uki, name: '../x.efi' } }, BASE_TAG);
    expect(await store.listTags()).toEqual(before);
  });
});

describe.skipIf(!haveStub() || !haveTools('umoci'))('hidden-whiteout attach: only the merged tree of the base counts', () => {
  const tmp = useTempDir('hidden-whiteout-merged-');
  const ctx: StrategyContext = { tempDir: tmp };
  const layoutDir = join(tmp, 'layout');
  let store: ImageStore;
  let ukiPayload: UkiPayload;
  let count = 0;

  beforeAll(async () => {
    await writeBaseImage(layoutDir);
    store = await openLayout(layoutDir);
    ukiPayload = await makeUkiPayload(tmp, 'merged-uki');
  });

  /** The base plus one layer per element of `layers`, tagged `tag`. */
  const baseWith = async (tag: string, layers: TarWriteEntry[][]): Promise<void> => {
    const added: Awaited<ReturnType<typeof putTestLayer>>[] = [];
    for (const entries of layers) added.push(await putTestLayer(store, entries));
    const digest = await rewriteImage(store, await resolveImage(store, BASE_TAG), { layers: (l) => [...l, ...added] });
    await store.putManifest((await store.getManifest(digest)).parsed.bytes, { tag });
  };
  /** Attaches to `tag`; returns the attached image's tag, its digest, and the base's bootable digest. */
  const attachTo = async (tag: string) => {
    const result = await createHiddenWhiteoutStrategy().attach(ctx, {
      image: { store, reference: tag },
      tag: `${tag}-attached`,
      payload: ukiPayload,
      digest: DEFAULT_DIGEST_SPEC,
    });
    const [base] = await computeBootableDigests(ctx, store, await resolveImage(store, tag), [DEFAULT_DIGEST_SPEC]);
    return { attached: `${tag}-attached`, digest: result.composefsDigest, base };
  };
  const view = (tag: string) => containerView(layoutDir, tag, join(tmp, `bundle-${count++}`));

  it.each([
    ['a whiteout of /.metalayer with nothing under that name', [[{ name: '.wh..metalayer', type: 'file' }]]],
    [
      'a /.metalayer that one layer created and a later layer whited out',
      [
        [
          { name: '.metalayer/', type: 'directory' },
          { name: '.metalayer/old', type: 'file', body: new TextEncoder().encode('old\n') },
        ],
        [{ name: '.wh..metalayer', type: 'file' }],
      ],
    ],
  ] as const)('accepts a base with %s: digest and umoci view equal the base', async (_what, layers) => {
    const tag = `history-${count++}`;
    await baseWith(tag, layers as unknown as TarWriteEntry[][]);
    const { attached, digest, base } = await attachTo(tag);
    expect(digest).toEqual(base);
    const baseView = await view(tag);
    expect(await view(attached)).toEqual(baseView);
    expect(baseView.some((line) => line.includes('.metalayer'))).toBe(false);
  });

  it('accepts a base whose one layer creates /.metalayer and whites it out itself: composefs-rs drops it, umoci keeps it (documented limit)', async () => {
    // Tools disagree on such a layer (oci-facts.md §4.2): the digest follows composefs-rs, where it is gone.
    await baseWith('same-layer', [
      [
        { name: '.metalayer/', type: 'directory' },
        { name: '.metalayer/old', type: 'file' },
        { name: '.wh..metalayer', type: 'file' },
      ],
    ]);
    const { attached, digest, base } = await attachTo('same-layer');
    expect(digest).toEqual(base);
    const baseView = await view('same-layer');
    const attachedView = await view(attached);
    expect(baseView.filter((line) => line.startsWith('/.metalayer'))).toHaveLength(2);
    expect(attachedView).toEqual(baseView.filter((line) => !line.startsWith('/.metalayer')));
  });
});
