import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_DIGEST_SPEC,
  DigestMismatchError,
  PayloadNotFoundError,
  type BootPayload,
  type ImageStore,
  type ResolvedImage,
  type StrategyContext,
} from '@metalayer/core';
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload, writeBaseImage } from '@metalayer/conformance';
import { openLayout, resolveImage, type TarWriteEntry } from '@metalayer/oci';
import { PayloadFormatError } from '@metalayer/strategy-kit';
import { useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileDigestKey, KEY_META_LAYER, KEY_WHITEOUT_LAYER } from './hidden-whiteout-labels';
import { createHiddenWhiteoutStrategy } from './hidden-whiteout-strategy';
import { putTestLayer, readLayerEntries, rewriteImage, type ImageEdit } from './test-support/rewrite-image';

const UKI_LABEL = fileDigestKey('uki', 'sha512');
const META_ANNOTATIONS = { 'dev.metalayer.layer.role': 'meta' };

describe.skipIf(!haveStub())('hidden-whiteout locate: typed errors for images that contradict their labels', () => {
  const tmp = useTempDir('hidden-whiteout-locate-');
  const ctx: StrategyContext = { tempDir: tmp };
  let store: ImageStore;
  let uki: ResolvedImage;
  let bls: ResolvedImage;

  beforeAll(async () => {
    const dir = join(tmp, 'layout');
    await writeBaseImage(join(tmp, 'base'));
    await cp(join(tmp, 'base'), dir, { recursive: true });
    store = await openLayout(dir);
    const attach = async (payload: BootPayload, tag: string): Promise<ResolvedImage> => {
      const result = await createHiddenWhiteoutStrategy().attach(ctx, {
        image: { store, reference: BASE_TAG },
        tag,
        payload,
        digest: DEFAULT_DIGEST_SPEC,
      });
      return resolveImage(store, result.image.digest);
    };
    uki = await attach(await makeUkiPayload(tmp, 'locate-uki'), 'uki');
    bls = await attach(await makeBlsPayload(tmp, 'locate-bls'), 'bls');
  });

  const locateEdited = async (image: ResolvedImage, edit: ImageEdit): Promise<unknown> => {
    const reference = await rewriteImage(store, image, edit);
    return createHiddenWhiteoutStrategy()
      .locate(ctx, { store, reference })
      .catch((e: unknown) => e);
  };
  /** Replaces the meta layer by one made of `entries` and points the label at it. */
  const withMetaLayer = async (image: ResolvedImage, entries: TarWriteEntry[]): Promise<unknown> => {
    const meta = await putTestLayer(store, entries, META_ANNOTATIONS);
    return locateEdited(image, {
      layers: (layers) => [...layers.slice(0, -2), meta, layers.at(-1)!],
      labels: (labels) => ({ ...labels, [KEY_META_LAYER]: meta.diffId }),
    });
  };
  const expectFormatError = (error: unknown, reason: RegExp): void => {
    expect(PayloadFormatError.isInstance(error), String(error)).toBe(true);
    expect((error as PayloadFormatError).reason).toMatch(reason);
  };

  it('the unedited images locate (the edits below are what fails)', async () => {
    await expect(createHiddenWhiteoutStrategy().locate(ctx, { store, reference: uki.descriptor.digest })).resolves.toBeDefined();
    await expect(createHiddenWhiteoutStrategy().locate(ctx, { store, reference: bls.descriptor.digest })).resolves.toBeDefined();
  });

  it('no meta-layer label: PayloadNotFoundError, even though the layers are all there', async () => {
    const error = await locateEdited(uki, { labels: ({ [KEY_META_LAYER]: _meta, ...rest }) => rest });
    expect(PayloadNotFoundError.isInstance(error)).toBe(true);
  });

  it('the meta-layer label names a diff_id the image does not have', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    expectFormatError(
      await locateEdited(uki, { labels: (l) => ({ ...l, [KEY_META_LAYER]: missing }) }),
      /names sha256:0{64}, which is not a layer of the image/,
    );
  });

  it('the meta-layer label is not a diff_id', async () => {
    expectFormatError(await locateEdited(uki, { labels: (l) => ({ ...l, [KEY_META_LAYER]: 'layer 2' }) }), /is not a sha256 diff_id/);
  });

  it('the whiteout-layer label is missing', async () => {
    expectFormatError(
      await locateEdited(uki, { labels: ({ [KEY_WHITEOUT_LAYER]: _w, ...rest }) => rest }),
      /no dev\.metalayer\.hidden-whiteout\.whiteout-layer label/,
    );
  });

  it('the meta layer is not followed by the whiteout layer (whiteout dropped: the kernel would be visible)', async () => {
    expectFormatError(
      await locateEdited(uki, { layers: (layers) => layers.slice(0, -1) }),
      /is followed by no layer, not by the whiteout layer/,
    );
  });

  it('a layer between the meta and the whiteout layer', async () => {
    const extra = await putTestLayer(store, [{ name: 'etc/extra', type: 'file', body: new Uint8Array([1]) }]);
    const error = await locateEdited(uki, { layers: (layers) => [...layers.slice(0, -1), extra, layers.at(-1)!] });
    expectFormatError(error, new RegExp(`is followed by ${extra.diffId}, not by the whiteout layer`));
  });

  it('the layer after the meta layer does more than white out /.metalayer', async () => {
    const whiteout = await putTestLayer(store, [
      { name: '.wh..metalayer', type: 'file' },
      { name: 'etc/.wh.marker', type: 'file' },
    ]);
    const error = await locateEdited(uki, {
      layers: (layers) => [...layers.slice(0, -1), whiteout],
      labels: (l) => ({ ...l, [KEY_WHITEOUT_LAYER]: whiteout.diffId }),
    });
    expectFormatError(error, /expected exactly one entry, the whiteout \.wh\.\.metalayer/);
  });

  it('the UKI does not match its fs-verity label: DigestMismatchError', async () => {
    const other = 'ab'.repeat(64);
    const error = await locateEdited(uki, { labels: (l) => ({ ...l, [UKI_LABEL]: other }) });
    expect(DigestMismatchError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ expected: other, actual: uki.config.config!.Labels![UKI_LABEL] });
    expect((error as DigestMismatchError).subject).toContain('EFI/Linux/conformance.efi');
  });

  it('the UKI has no fs-verity label', async () => {
    expectFormatError(
      await locateEdited(uki, { labels: ({ [UKI_LABEL]: _u, ...rest }) => rest }),
      /no config label names the fs-verity digest of EFI\/Linux\/conformance\.efi/,
    );
  });

  it('an fs-verity label that is not lowercase hex of the right length', async () => {
    expectFormatError(
      await locateEdited(uki, { labels: (l) => ({ ...l, [UKI_LABEL]: 'AB'.repeat(64) }) }),
      /is not a sha512 digest in lowercase hex/,
    );
  });

  it('a label names an initrd the entry does not have', async () => {
    const error = await locateEdited(bls, { labels: (l) => ({ ...l, [fileDigestKey('initrd.2', 'sha512')]: 'cd'.repeat(64) }) });
    expectFormatError(error, /names a initrd\.2 file, which the meta layer does not have/);
  });

  it('the meta layer lacks the UKI', async () => {
    const entries = (await readLayerEntries(store, uki.manifest.layers.at(-2)!)).filter((e) => e.type === 'directory');
    expectFormatError(await withMetaLayer(uki, entries), /has no EFI\/Linux\/\*\.efi and no loader\/entries\/\*\.conf/);
  });

  it('the meta layer lacks an initrd the entry names', async () => {
    const entries = (await readLayerEntries(store, bls.manifest.layers.at(-2)!)).filter((e) => !e.name.endsWith('/microcode'));
    expectFormatError(
      await withMetaLayer(bls, entries),
      /names \/conformance\/6\.99\.0-conformance\/microcode, which is not a file of the meta layer/,
    );
  });

  it('the meta layer holds two UKIs', async () => {
    const entries = await readLayerEntries(store, uki.manifest.layers.at(-2)!);
    const second = { ...entries.at(-1)!, name: '.metalayer/EFI/Linux/second.efi' };
    expectFormatError(await withMetaLayer(uki, [...entries, second]), /several boot entries/);
  });

  it.each([
    ['an entry outside /.metalayer', { name: 'etc/passwd', type: 'file' }, /lies outside \/\.metalayer/],
    ['a symlink', { name: '.metalayer/EFI/Linux/link.efi', type: 'symlink', linkname: '/etc/shadow' }, /is a symlink/],
    ['a whiteout', { name: '.metalayer/EFI/.wh.Linux', type: 'file' }, /is a whiteout/],
    ['a ".." component', { name: '.metalayer/../etc/x', type: 'file' }, /is not a normalised path/],
    ['a duplicate', { name: '.metalayer/EFI/', type: 'directory' }, /appears twice/],
  ] as const)('a meta layer with %s', async (_what, extra, reason) => {
    const entries = await readLayerEntries(store, uki.manifest.layers.at(-2)!);
    expectFormatError(await withMetaLayer(uki, [...entries, extra as TarWriteEntry]), reason);
  });

  it('a tampered config label cannot smuggle a second kernel: the label check fails before any payload is returned', async () => {
    // Same layers, UKI label swapped for the BLS kernel's digest: still a mismatch.
    const kernelDigest = bls.config.config!.Labels![fileDigestKey('kernel', 'sha512')]!;
    const error = await locateEdited(uki, { labels: (l) => ({ ...l, [UKI_LABEL]: kernelDigest }) });
    expect(DigestMismatchError.isInstance(error)).toBe(true);
  });
});
