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
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload, writeBaseImage } from '@metalayer/conformance';
import { openLayout, resolveImage, type TarWriteEntry } from '@metalayer/oci';
import { useTempDir } from '@metalayer/test-utils';
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
    ['a /.metalayer directory', [{ name: '.metalayer/', type: 'directory' }], '.metalayer'],
    ['a file below /.metalayer', [{ name: './.metalayer/boot/x', type: 'file' }], '.metalayer/boot/x'],
    ['a /.metalayer regular file', [{ name: '.metalayer', type: 'file' }], '.metalayer'],
    ['a /.metalayer symlink', [{ name: '.metalayer', type: 'symlink', linkname: 'usr' }], '.metalayer'],
    ['a whiteout of /.metalayer', [{ name: '.wh..metalayer', type: 'file' }], '.wh..metalayer'],
  ] as const)('refuses a base with %s: PrivateDirectoryConflictError', async (_what, entries, path) => {
    const reference = await baseWith(entries as unknown as TarWriteEntry[]);
    const error = await attach(ukiPayload, reference);
    expect(PrivateDirectoryConflictError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ path });
  });

  it('accepts a base with look-alike names (/.metalayers, /usr/.metalayer)', async () => {
    const reference = await baseWith([
      { name: '.metalayers', type: 'file' },
      { name: 'usr/.metalayer/', type: 'directory' },
    ]);
    const result = await attach(ukiPayload, reference);
    expect(result).toMatchObject({ strategy: 'hidden-whiteout' });
  });

  it('refuses an image that carries our labels, even when other layers follow: AlreadyAttachedError', async () => {
    const first = await createHiddenWhiteoutStrategy().attach(ctx, { image: { store, reference: BASE_TAG }, payload: ukiPayload, digest: DEFAULT_DIGEST_SPEC });
    const extra = await putTestLayer(store, [{ name: 'etc/derived', type: 'file' }]);
    const derived = await rewriteImage(store, await resolveImage(store, first.image.digest), { layers: (l) => [...l, extra] });
    const error = await attach(blsPayload, derived);
    expect(AlreadyAttachedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ strategy: 'hidden-whiteout', existing: `meta layer ${(await resolveImage(store, first.image.digest)).config.config!.Labels![KEY_META_LAYER]}` });
  });

  it.each([['../evil.efi'], ['.wh.evil.efi'], ['EFI/evil.efi'], ['.hidden.efi'], ['evil efi.efi'], ['.efi'], ['']])('refuses the UKI name %j: UnsafePathError', async (name) => {
    const error = await attach({ ...ukiPayload, uki: { ...ukiPayload.uki, name } });
    expect(UnsafePathError.isInstance(error), String(error)).toBe(true);
  });

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
    const error = await attach({ ...blsPayload, initrds: [blsPayload.initrds[0]!, { ...blsPayload.initrds[1]!, name: blsPayload.initrds[0]!.name }] });
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
    const located = await createHiddenWhiteoutStrategy().locate(ctx, { store, reference: (result as { image: { digest: string } }).image.digest });
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
