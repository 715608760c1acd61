import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DigestMismatchError,
  LimitExceededError,
  MetalayerError,
  type Descriptor,
  type ImageStore,
  type StrategyContext,
} from '@metalayer/core';
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload } from '@metalayer/conformance';
import { artifactManifest, EMPTY_BLOB } from '@metalayer/oci';
import { KEY_PAYLOAD_ROLE, KEY_TITLE, MAX_PAYLOAD_FILE_SIZE, PayloadFormatError } from '@metalayer/strategy-kit';
import { useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACT_TYPE, KEY_KERNEL_VERSION, KEY_PAYLOAD_KIND, MAX_ARTIFACT_LAYERS, PAYLOAD_MEDIA_TYPES } from './artifact-media-types';
import { createArtifactStrategy } from './artifact-strategy';
import { attachTo, baseLayouts, layout, putRawArtifact, text, type RawFile } from './test-support/artifact-fixtures';

const strategy = createArtifactStrategy();
const errorOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

const kernel: RawFile = { role: 'kernel', title: 'vmlinuz', content: text('kernel') };
const initrd: RawFile = { role: 'initrd', title: 'initrd', content: text('initrd') };
const entry = (body: string): RawFile => ({ role: 'entry', title: 'entry.conf', content: text(body) });
const GOOD_ENTRY = 'title T\nversion 1\noptions quiet\nlinux /vmlinuz\ninitrd /initrd\n';

describe.skipIf(!haveStub())('artifact strategy: hostile or malformed artifacts', () => {
  const tmp = useTempDir('strategy-artifact-hostile-');
  const ctx: StrategyContext = { tempDir: tmp };
  const layouts = baseLayouts(tmp);
  beforeAll(layouts.setup);

  /** A fresh layout holding one hand-made artifact referring to the base image. */
  async function withArtifact(files: RawFile[], options: Parameters<typeof putRawArtifact>[3] = {}): Promise<ImageStore> {
    const store = await layout(await layouts.fresh());
    await putRawArtifact(store, layouts.base().manifest, files, options);
    return store;
  }

  it('reads a hand-made BLS artifact that follows the format', async () => {
    const store = await withArtifact([kernel, initrd, entry(GOOD_ENTRY)], { kind: 'bls', annotations: { [KEY_KERNEL_VERSION]: '1' } });
    const located = await strategy.locate(ctx, { store, reference: BASE_TAG });
    expect(located.payload).toMatchObject({
      kind: 'bls',
      options: 'quiet',
      title: 'T',
      kernelVersion: '1',
      kernel: { name: 'vmlinuz' },
      initrds: [{ name: 'initrd' }],
    });
    expect(located.claims).toEqual({});
  });

  it.each<[string, RawFile[], Parameters<typeof putRawArtifact>[3], string]>([
    [
      'an unknown layer media type',
      [{ ...kernel, mediaType: 'application/octet-stream' }, entry(GOOD_ENTRY)],
      { kind: 'bls' },
      'unknown media type application/octet-stream',
    ],
    [
      'a role annotation that contradicts the media type',
      [{ ...kernel, annotations: { [KEY_TITLE]: 'vmlinuz', [KEY_PAYLOAD_ROLE]: 'initrd' } }, entry(GOOD_ENTRY)],
      { kind: 'bls' },
      'but the media type says kernel',
    ],
    [
      'a layer without a title',
      [{ ...kernel, annotations: { [KEY_PAYLOAD_ROLE]: 'kernel' } }, entry(GOOD_ENTRY)],
      { kind: 'bls' },
      'no org.opencontainers.image.title',
    ],
    ['a title that leaves the directory', [{ ...kernel, title: '../../etc/passwd' }], { kind: 'uki' }, 'contains "/"'],
    ['a whiteout title', [{ role: 'uki', title: '.wh.boot', content: text('x') }], { kind: 'uki' }, 'starts with ".wh."'],
    ['two layers with one title', [kernel, { ...initrd, title: 'vmlinuz' }, entry(GOOD_ENTRY)], { kind: 'bls' }, 'is used twice'],
    ['an unknown payload kind', [{ role: 'uki', title: 'a.efi', content: text('x') }], { kind: 'efi' }, 'expected "uki" or "bls"'],
    [
      'a uki payload with two layers',
      [
        { role: 'uki', title: 'a.efi', content: text('a') },
        { role: 'uki', title: 'b.efi', content: text('b') },
      ],
      { kind: 'uki' },
      'exactly one layer',
    ],
    ['a uki payload with a kernel layer', [kernel], { kind: 'uki' }, 'exactly one layer, of role uki'],
    ['a bls payload without an entry', [kernel, initrd], { kind: 'bls' }, 'exactly one kernel and one entry'],
    [
      'a bls payload with a uki',
      [kernel, entry(GOOD_ENTRY), { role: 'uki', title: 'a.efi', content: text('a') }],
      { kind: 'bls' },
      'cannot carry a uki',
    ],
    [
      'an entry that boots another kernel',
      [{ ...kernel, title: 'bzImage' }, initrd, entry(GOOD_ENTRY)],
      { kind: 'bls' },
      'the entry boots "vmlinuz"',
    ],
    [
      'an entry whose initrds are not the layers',
      [kernel, initrd, entry('linux /vmlinuz\n')],
      { kind: 'bls' },
      'are not the initrd layers in order',
    ],
    [
      'an entry with a key we do not write',
      [kernel, initrd, entry(`${GOOD_ENTRY}devicetree /dtb\n`)],
      { kind: 'bls' },
      'has a "devicetree" line',
    ],
    ['an entry with two options lines', [kernel, initrd, entry(`${GOOD_ENTRY}options more\n`)], { kind: 'bls' }, 'more than one "options"'],
    [
      'an entry with a path below the root',
      [kernel, initrd, entry('linux /sub/vmlinuz\ninitrd /initrd\n')],
      { kind: 'bls' },
      'does not name a file of the artifact',
    ],
    ['an entry that is not an entry', [kernel, initrd, entry('options quiet\n')], { kind: 'bls' }, 'not a valid BLS type #1 entry'],
    [
      'a kernel version that contradicts the entry',
      [kernel, initrd, entry(GOOD_ENTRY)],
      { kind: 'bls', annotations: { [KEY_KERNEL_VERSION]: '2' } },
      "contradicts the entry's version",
    ],
  ])('refuses %s with PayloadFormatError', async (_what, files, options, reason) => {
    const store = await withArtifact(files, options);
    const image = { store, reference: BASE_TAG };
    expect(await strategy.detect(ctx, image)).toBe(true);
    const error = await errorOf(strategy.locate(ctx, image));
    expect(PayloadFormatError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toContain(reason);
  });

  it('refuses descriptors above the named limits before downloading anything', async () => {
    const store = await layout(await layouts.fresh());
    const blob = await store.putBlob(text('small'));
    await store.putBlob(EMPTY_BLOB);
    const layer = (size: number, i = 0): Descriptor => ({
      mediaType: PAYLOAD_MEDIA_TYPES.uki,
      digest: blob.digest,
      size,
      annotations: { [KEY_TITLE]: `u${i}.efi`, [KEY_PAYLOAD_ROLE]: 'uki' },
    });
    const put = (layers: Descriptor[]) =>
      store.putManifest(artifactManifest(ARTIFACT_TYPE, layers, layouts.base().manifest, { [KEY_PAYLOAD_KIND]: 'uki' }));
    const huge = await put([layer(MAX_PAYLOAD_FILE_SIZE + 1)]);
    const image = { store, reference: BASE_TAG };
    let error = await errorOf(strategy.locate(ctx, image, { artifact: huge.digest }));
    expect(LimitExceededError.isInstance(error) && error.limit).toBe('MAX_PAYLOAD_FILE_SIZE');
    const many = await put(Array.from({ length: MAX_ARTIFACT_LAYERS + 1 }, (_, i) => layer(blob.size, i)));
    error = await errorOf(strategy.locate(ctx, image, { artifact: many.digest }));
    expect(LimitExceededError.isInstance(error) && error.limit).toBe('MAX_ARTIFACT_LAYERS');
    const entryLayer: Descriptor = {
      mediaType: PAYLOAD_MEDIA_TYPES.entry,
      digest: blob.digest,
      size: 1024 * 1024,
      annotations: { [KEY_TITLE]: 'entry.conf', [KEY_PAYLOAD_ROLE]: 'entry' },
    };
    const bigEntry = await store.putManifest(
      artifactManifest(ARTIFACT_TYPE, [entryLayer], layouts.base().manifest, { [KEY_PAYLOAD_KIND]: 'bls' }),
    );
    error = await errorOf(strategy.locate(ctx, image, { artifact: bigEntry.digest }));
    expect(LimitExceededError.isInstance(error) && error.limit).toBe('MAX_BLS_ENTRY_SIZE');
  });

  it.each(['uki', 'bls'] as const)('refuses a tampered %s blob with DigestMismatchError', async (kind) => {
    const dir = await layouts.fresh();
    const store = await layout(dir);
    const payload = kind === 'uki' ? await makeUkiPayload(tmp, 'tamper') : await makeBlsPayload(tmp, 'tamper');
    const result = await attachTo(tmp, store, payload);
    for (const blob of result.added.slice(1, -1)) {
      const path = join(dir, 'blobs', 'sha256', blob.digest.slice('sha256:'.length));
      const original = await readFile(path);
      const bytes = Buffer.from(original);
      bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0x01, bytes.length >> 1);
      await writeFile(path, bytes);
      const error = await errorOf(strategy.locate(ctx, { store, reference: BASE_TAG }));
      expect(MetalayerError.isInstance(error), blob.annotations?.[KEY_TITLE]).toBe(true);
      expect(DigestMismatchError.isInstance(error), String(error)).toBe(true);
      await writeFile(path, original);
    }
    expect((await strategy.locate(ctx, { store, reference: BASE_TAG })).strategy).toBe('artifact');
  });
});
