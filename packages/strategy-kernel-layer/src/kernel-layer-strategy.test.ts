import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readAllBytes } from '@metalayer/boot';
import { DEFAULT_DIGEST_SPEC, type AttachResult, type BootPayload, type Descriptor, type ImageStore } from '@metalayer/core';
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload, testStrategy, writeBaseImage } from '@metalayer/conformance';
import { byteStringToUtf8, readStoredLayer, resolveImage, type TarWriteEntry } from '@metalayer/oci';
import { computeBootableDigests, payloadFingerprint, readComposefsDigests, sha256OfSource } from '@metalayer/strategy-kit';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernelLayerStrategy } from './kernel-layer-strategy';
import { dir, file, osLayer, T0, writeImage } from './test-support/images';

testStrategy({ create: () => createKernelLayerStrategy() });

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** One line per tar entry of a layer: name, type, mode, owner, mtime, size, xattrs (and the body's sha256). */
async function layerListing(store: ImageStore, layer: Descriptor): Promise<{ lines: string[]; bodies: Map<string, Uint8Array> }> {
  const lines: string[] = [];
  const bodies = new Map<string, Uint8Array>();
  for await (const { header, body } of readStoredLayer(store, layer)) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    const bytes = new Uint8Array(Buffer.concat(chunks));
    if (header.type === 'file') bodies.set(byteStringToUtf8(header.name), bytes);
    const mtime = header.mtime.nanoseconds
      ? `${header.mtime.seconds}.${String(header.mtime.nanoseconds).padStart(9, '0')}`
      : `${header.mtime.seconds}`;
    const xattrs = [...header.xattrs].map(([k, v]) => ` ${k}=${Buffer.from(v).toString('hex')}`).join('');
    lines.push(
      `${byteStringToUtf8(header.name)} ${header.type} ${header.mode.toString(8).padStart(4, '0')} ${header.uid}:${header.gid} ${mtime} size=${header.size}${xattrs}`,
    );
  }
  return { lines, bodies };
}

const lastLayer = async (store: ImageStore, manifest: Descriptor) => (await resolveImage(store, manifest.digest)).manifest.layers.at(-1)!;

describe.skipIf(!haveStub() || !haveTools('umoci'))('kernel-layer: what attach writes', () => {
  const tmp = useTempDir('kernel-layer-attach-');
  const ctx = { tempDir: tmp };
  let base: Awaited<ReturnType<typeof writeBaseImage>>;
  let uki: AttachResult;
  let bls: AttachResult;

  beforeAll(async () => {
    base = await writeBaseImage(join(tmp, 'base'));
    const strategy = createKernelLayerStrategy();
    uki = await strategy.attach(ctx, {
      image: { store: base.store, reference: BASE_TAG },
      tag: 'uki',
      payload: await makeUkiPayload(tmp),
      digest: DEFAULT_DIGEST_SPEC,
    });
    bls = await strategy.attach(ctx, {
      image: { store: base.store, reference: BASE_TAG },
      tag: 'bls',
      payload: await makeBlsPayload(tmp),
      digest: DEFAULT_DIGEST_SPEC,
    });
  });

  it('UKI: one plain-tar layer with /boot repeated as the base has it (0700), new directories 0755 and the sealed UKI', async () => {
    const layer = await lastLayer(base.store, uki.image);
    expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
    const { lines, bodies } = await layerListing(base.store, layer);
    expect(lines).toMatchInlineSnapshot(`
      [
        "boot/ directory 0700 0:0 1700000030 size=0",
        "boot/EFI/ directory 0755 0:0 1700000030 size=0",
        "boot/EFI/Linux/ directory 0755 0:0 1700000030 size=0",
        "boot/EFI/Linux/conformance.efi file 0644 0:0 1700000030 size=442368",
      ]
    `);
    const sealed = await readAllBytes((uki.payload as Extract<BootPayload, { kind: 'uki' }>).uki.data);
    expect(sha256(bodies.get('boot/EFI/Linux/conformance.efi')!)).toBe(sha256(sealed));
    expect((await readComposefsDigests(uki.payload)).map((d) => d.text)).toEqual([
      `composefs.digest=v1-sha512-12:${uki.composefsDigest.hex}`,
    ]);
  });

  it('BLS: the entry, kernel and initrds below /boot, the entry naming them from the image root', async () => {
    const layer = await lastLayer(base.store, bls.image);
    const { lines, bodies } = await layerListing(base.store, layer);
    expect(lines).toMatchInlineSnapshot(`
      [
        "boot/ directory 0700 0:0 1700000030 size=0",
        "boot/conformance/ directory 0755 0:0 1700000030 size=0",
        "boot/conformance/6.99.0-conformance/ directory 0755 0:0 1700000030 size=0",
        "boot/conformance/6.99.0-conformance/initrd file 0644 0:0 1700000030 size=60000",
        "boot/conformance/6.99.0-conformance/microcode file 0644 0:0 1700000030 size=5000",
        "boot/conformance/6.99.0-conformance/vmlinuz file 0644 0:0 1700000030 size=280000",
        "boot/loader/ directory 0755 0:0 1700000030 size=0",
        "boot/loader/entries/ directory 0755 0:0 1700000030 size=0",
        "boot/loader/entries/conformance-6.99.0-conformance.conf file 0644 0:0 1700000030 size=574",
      ]
    `);
    const entry = new TextDecoder().decode(bodies.get('boot/loader/entries/conformance-6.99.0-conformance.conf')!);
    expect(entry.replaceAll(bls.composefsDigest.hex, '<digest>')).toMatchInlineSnapshot(`
      "# Boot Loader Specification type#1 entry
      # File created by metalayer (strategy kernel-layer); paths are relative to the image root
      title      Conformance OS 1
      version    6.99.0-conformance
      sort-key   conformance
      options    console=ttyS0 rw quiet composefs.digest=v1-sha512-12:<digest>
      linux      /boot/conformance/6.99.0-conformance/vmlinuz
      initrd     /boot/conformance/6.99.0-conformance/initrd
      initrd     /boot/conformance/6.99.0-conformance/microcode
      "
    `);
    const payload = bls.payload as Extract<BootPayload, { kind: 'bls' }>;
    expect(sha256(bodies.get('boot/conformance/6.99.0-conformance/vmlinuz')!)).toBe(
      await sha256OfSource(payload.kernel.data).then((d) => d.slice(7)),
    );
  });

  /** Marks and hints of an attached image, with digests replaced by placeholders (their values are checked here). */
  const marksOf = async (result: AttachResult) => {
    const image = await resolveImage(base.store, result.image.digest);
    const layer = image.manifest.layers.at(-1)!;
    const diffId = image.config.rootfs.diff_ids.at(-1)!;
    expect(layer.digest).toBe(diffId);
    const marks = JSON.stringify({
      manifestAnnotations: image.manifest.annotations,
      labels: image.config.config?.Labels,
      layer,
      history: image.config.history?.at(-1),
      added: result.added.map((d) => d.mediaType),
    });
    return JSON.parse(
      marks
        .replaceAll(result.composefsDigest.hex, '<digest>')
        .replaceAll(diffId, '<diff_id>')
        .replaceAll(base.manifest.digest, '<base manifest>'),
    );
  };

  it('UKI: marks the layer and records hints in labels, annotations and history', async () => {
    expect(await marksOf(uki)).toMatchInlineSnapshot(`
      {
        "added": [
          "application/vnd.oci.image.layer.v1.tar",
          "application/vnd.oci.image.config.v1+json",
          "application/vnd.oci.image.manifest.v1+json",
        ],
        "history": {
          "comment": "kernel layer; composefs bootable digest <digest>",
          "created_by": "metalayer attach --strategy kernel-layer: /boot/EFI/Linux/conformance.efi",
        },
        "labels": {
          "composefs.merged.bootable.erofs.v1.fsverity-sha512-12": "<digest>",
          "containers.bootc": "1",
          "dev.metalayer.kernel-layer.diff-id": "<diff_id>",
          "dev.metalayer.strategy": "kernel-layer",
        },
        "layer": {
          "annotations": {
            "dev.metalayer.layer.role": "kernel",
            "org.opencontainers.image.title": "conformance.efi",
          },
          "digest": "<diff_id>",
          "mediaType": "application/vnd.oci.image.layer.v1.tar",
          "size": 445440,
        },
        "manifestAnnotations": {
          "composefs.merged.bootable.erofs.v1.fsverity-sha512-12": "<digest>",
          "org.opencontainers.image.base.digest": "<base manifest>",
          "org.opencontainers.image.title": "conformance base",
        },
      }
    `);
  });

  it('BLS: marks the layer and records hints in labels, annotations and history', async () => {
    expect(await marksOf(bls)).toMatchInlineSnapshot(`
      {
        "added": [
          "application/vnd.oci.image.layer.v1.tar",
          "application/vnd.oci.image.config.v1+json",
          "application/vnd.oci.image.manifest.v1+json",
        ],
        "history": {
          "comment": "kernel layer; composefs bootable digest <digest>",
          "created_by": "metalayer attach --strategy kernel-layer: /boot/loader/entries/conformance-6.99.0-conformance.conf /boot/conformance/6.99.0-conformance/vmlinuz /boot/conformance/6.99.0-conformance/initrd /boot/conformance/6.99.0-conformance/microcode",
        },
        "labels": {
          "composefs.merged.bootable.erofs.v1.fsverity-sha512-12": "<digest>",
          "containers.bootc": "1",
          "dev.metalayer.kernel-layer.diff-id": "<diff_id>",
          "dev.metalayer.strategy": "kernel-layer",
        },
        "layer": {
          "annotations": {
            "dev.metalayer.layer.role": "kernel",
            "org.opencontainers.image.title": "conformance-6.99.0-conformance.conf",
          },
          "digest": "<diff_id>",
          "mediaType": "application/vnd.oci.image.layer.v1.tar",
          "size": 352256,
        },
        "manifestAnnotations": {
          "composefs.merged.bootable.erofs.v1.fsverity-sha512-12": "<digest>",
          "org.opencontainers.image.base.digest": "<base manifest>",
          "org.opencontainers.image.title": "conformance base",
        },
      }
    `);
  });

  it('compression: gzip writes a tar+gzip layer that locate reads back', async () => {
    const payload = await makeUkiPayload(tmp, 'gzip');
    const result = await createKernelLayerStrategy({ compression: 'gzip' }).attach(ctx, {
      image: { store: base.store, reference: BASE_TAG },
      tag: 'gzip',
      payload,
      digest: DEFAULT_DIGEST_SPEC,
    });
    const layer = await lastLayer(base.store, result.image);
    expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(result.composefsDigest).toEqual(uki.composefsDigest);
    const located = await createKernelLayerStrategy().locate(ctx, { store: base.store, reference: 'gzip' });
    expect(await payloadFingerprint(located.payload)).toBe(await payloadFingerprint(result.payload));
  });

  it('BLS: umoci unpack shows every file the entry names at that path from the image root, as composefs-rs resolves it', async () => {
    const bundle = join(tmp, 'bundle-bls');
    run('umoci', ['unpack', '--rootless', '--image', `${base.dir}:bls`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    const entry = await readFile(join(rootfs, 'boot/loader/entries/conformance-6.99.0-conformance.conf'), 'utf8');
    const paths = entry
      .split('\n')
      .filter((l) => /^(linux|initrd) /.test(l))
      .map((l) => l.split(/\s+/)[1]!);
    expect(paths).toEqual([
      '/boot/conformance/6.99.0-conformance/vmlinuz',
      '/boot/conformance/6.99.0-conformance/initrd',
      '/boot/conformance/6.99.0-conformance/microcode',
    ]);
    const payload = bls.payload as Extract<BootPayload, { kind: 'bls' }>;
    const expected = [payload.kernel, ...payload.initrds];
    for (const [i, path] of paths.entries())
      expect(sha256(await readFile(join(rootfs, path)))).toBe((await sha256OfSource(expected[i]!.data)).slice(7));
  });
});

describe.skipIf(!haveStub() || !haveTools('umoci'))('kernel-layer: a base whose /boot has unusual metadata', () => {
  const tmp = useTempDir('kernel-layer-meta-');
  const ctx = { tempDir: tmp };
  const layoutDir = join(tmp, 'layout');
  const bootXattrs: [string, Uint8Array][] = [['user.meta', new TextEncoder().encode('kept')]];
  const layers: TarWriteEntry[][] = [
    [...osLayer(), file('boot/keep', 'base content\n')],
    // A later layer redefines /boot and /boot/EFI: the merged view (last one wins) is what must be repeated.
    [
      dir('boot', { mode: 0o700, uid: 5, gid: 6, mtime: { seconds: T0 + 100, nanoseconds: 123_456_789 }, xattrs: bootXattrs }),
      dir('boot/EFI', { mode: 0o750, uid: 7, gid: 8, mtime: { seconds: T0 + 101, nanoseconds: 5 } }),
    ],
  ];
  let store: ImageStore;
  let result: AttachResult;

  beforeAll(async () => {
    ({ store } = await writeImage(layoutDir, layers));
    const payload = await makeUkiPayload(tmp, 'meta');
    result = await createKernelLayerStrategy().attach(ctx, {
      image: { store, reference: 'base' },
      tag: 'attached',
      payload: { ...payload, uki: { ...payload.uki, name: 'os.efi' } },
      digest: DEFAULT_DIGEST_SPEC,
    });
  });

  it("repeats /boot and /boot/EFI with the base's exact metadata; /boot/EFI/Linux is new (0755, 0:0, /boot's mtime)", async () => {
    const { lines } = await layerListing(store, await lastLayer(store, result.image));
    expect(lines).toEqual([
      'boot/ directory 0700 5:6 1700000100.123456789 size=0 user.meta=6b657074',
      'boot/EFI/ directory 0750 7:8 1700000101.000000005 size=0',
      'boot/EFI/Linux/ directory 0755 0:0 1700000100.123456789 size=0',
      expect.stringMatching(/^boot\/EFI\/Linux\/os\.efi file 0644 0:0 1700000100\.123456789 size=\d+$/),
    ]);
  });

  it('keeps the bootable digest: the final image hashes like the base (composefs-rs compute-id --bootable)', async () => {
    const [before] = await computeBootableDigests(ctx, store, await resolveImage(store, 'base'), [DEFAULT_DIGEST_SPEC]);
    const [after] = await computeBootableDigests(ctx, store, await resolveImage(store, 'attached'), [DEFAULT_DIGEST_SPEC]);
    expect(after).toEqual(before);
    expect(result.composefsDigest).toEqual(before);
  });

  it('umoci unpack: /boot keeps its mode and content, the sealed UKI sits at /boot/EFI/Linux/os.efi', async () => {
    const bundle = join(tmp, 'bundle');
    run('umoci', ['unpack', '--rootless', '--image', `${layoutDir}:attached`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    expect((await lstat(join(rootfs, 'boot'))).mode & 0o7777).toBe(0o700);
    expect((await lstat(join(rootfs, 'boot/EFI'))).mode & 0o7777).toBe(0o750);
    expect(await readFile(join(rootfs, 'boot/keep'), 'utf8')).toBe('base content\n');
    const sealed = await readAllBytes((result.payload as Extract<BootPayload, { kind: 'uki' }>).uki.data);
    expect(sha256(await readFile(join(rootfs, 'boot/EFI/Linux/os.efi')))).toBe(sha256(sealed));
  });
});
