import { mkdirSync, readFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_DIGEST_SPEC,
  type AttachResult,
  type BootPayload,
  type ImageStore,
  type ResolvedImage,
  type StrategyContext,
} from '@metalayer/core';
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload, writeBaseImage } from '@metalayer/conformance';
import { openLayout, resolveImage } from '@metalayer/oci';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHiddenWhiteoutStrategy } from './hidden-whiteout-strategy';
import { describeLayer } from './test-support/rewrite-image';

interface Attached {
  readonly store: ImageStore;
  readonly dir: string;
  readonly result: AttachResult;
  readonly image: ResolvedImage;
}

describe.skipIf(!haveStub() || !haveTools('fsverity', 'tar'))('hidden-whiteout: layers, labels and annotations', () => {
  const tmp = useTempDir('hidden-whiteout-layers-');
  const ctx: StrategyContext = { tempDir: tmp };
  let baseDir: string;
  let count = 0;
  const attach = async (payload: BootPayload): Promise<Attached> => {
    const dir = join(tmp, `layout-${count++}`);
    await cp(baseDir, dir, { recursive: true });
    const store = await openLayout(dir);
    const result = await createHiddenWhiteoutStrategy().attach(ctx, {
      image: { store, reference: BASE_TAG },
      tag: 'attached',
      payload,
      digest: DEFAULT_DIGEST_SPEC,
    });
    return { store, dir, result, image: await resolveImage(store, result.image.digest) };
  };

  /** The meta layer unpacked by GNU tar (not our reader). */
  const unpackMeta = (attached: Attached): string => {
    const out = join(tmp, `unpacked-${count++}`);
    mkdirSync(out);
    const blob = attached.image.manifest.layers.at(-2)!.digest.slice('sha256:'.length);
    run('tar', ['-xf', join(attached.dir, 'blobs', 'sha256', blob), '-C', out]);
    return out;
  };

  /**
   * Config labels with every digest value replaced by what it is: diff_ids
   * by the layer they belong to, fs-verity digests by the file the
   * `fsverity` tool computed them for (from a GNU tar unpacking of the meta
   * layer). A value left as raw hex would match nothing here.
   */
  const namedLabels = (attached: Attached, files: readonly string[]): Record<string, string> => {
    const diffIds = attached.image.config.rootfs.diff_ids;
    const names = new Map<string, string>([
      [diffIds.at(-2)!, '<diff_id of the meta layer>'],
      [diffIds.at(-1)!, '<diff_id of the whiteout layer>'],
      [attached.result.composefsDigest.hex, '<bootable digest on the command line>'],
    ]);
    const unpacked = unpackMeta(attached);
    for (const file of files) {
      const hex = run('fsverity', ['digest', '--hash-alg=sha512', '--block-size=4096', '--compact', join(unpacked, file)])
        .stdout.toString()
        .trim();
      names.set(hex, `<fs-verity sha512 of /${file}>`);
    }
    return Object.fromEntries(Object.entries(attached.image.config.config?.Labels ?? {}).map(([k, v]) => [k, names.get(v) ?? v]));
  };

  let uki: Attached;
  let bls: Attached;
  beforeAll(async () => {
    baseDir = join(tmp, 'base');
    await writeBaseImage(baseDir);
    uki = await attach(await makeUkiPayload(tmp, 'layers-uki'));
    bls = await attach(await makeBlsPayload(tmp, 'layers-bls'));
  });

  it('UKI: the meta layer holds /.metalayer/EFI/Linux/<name>.efi and nothing else', async () => {
    expect(await describeLayer(uki.store, uki.image.manifest.layers.at(-2)!)).toMatchInlineSnapshot(`
      [
        ".metalayer/ directory 0755 0:0 mtime=0.000000000 size=0 xattrs=0",
        ".metalayer/EFI/ directory 0755 0:0 mtime=0.000000000 size=0 xattrs=0",
        ".metalayer/EFI/Linux/ directory 0755 0:0 mtime=0.000000000 size=0 xattrs=0",
        ".metalayer/EFI/Linux/conformance.efi file 0644 0:0 mtime=0.000000000 size=442368 xattrs=0",
      ]
    `);
  });

  it('BLS: the meta layer is a $BOOT tree: entry, kernel and initrds', async () => {
    expect(await describeLayer(bls.store, bls.image.manifest.layers.at(-2)!)).toMatchInlineSnapshot(`
      [
        ".metalayer/ directory 0755 0:0 mtime=0.000000000 size=0 xattrs=0",
        ".metalayer/conformance/ directory 0755 0:0 mtime=0.000000000 size=0 xattrs=0",
        ".metalayer/conformance/6.99.0-conformance/ directory 0755 0:0 mtime=0.000000000 size=0 xattrs=0",
        ".metalayer/conformance/6.99.0-conformance/initrd file 0644 0:0 mtime=0.000000000 size=60000 xattrs=0",
        ".metalayer/conformance/6.99.0-conformance/microcode file 0644 0:0 mtime=0.000000000 size=5000 xattrs=0",
        ".metalayer/conformance/6.99.0-conformance/vmlinuz file 0644 0:0 mtime=0.000000000 size=280000 xattrs=0",
        ".metalayer/loader/ directory 0755 0:0 mtime=0.000000000 size=0 xattrs=0",
        ".metalayer/loader/entries/ directory 0755 0:0 mtime=0.000000000 size=0 xattrs=0",
        ".metalayer/loader/entries/conformance-6.99.0-conformance.conf file 0644 0:0 mtime=0.000000000 size=428 xattrs=0",
      ]
    `);
    const entry = readFileSync(join(unpackMeta(bls), '.metalayer/loader/entries/conformance-6.99.0-conformance.conf'), 'utf8');
    expect(entry.replace(bls.result.composefsDigest.hex, '<digest>')).toMatchInlineSnapshot(`
      "title      Conformance OS 1
      version    6.99.0-conformance
      sort-key   conformance
      options    console=ttyS0 rw quiet composefs.digest=v1-sha512-12:<digest>
      linux      /conformance/6.99.0-conformance/vmlinuz
      initrd     /conformance/6.99.0-conformance/initrd
      initrd     /conformance/6.99.0-conformance/microcode
      "
    `);
  });

  it('the whiteout layer is one .wh..metalayer entry, the same bytes for every payload', async () => {
    const layer = uki.image.manifest.layers.at(-1)!;
    expect(await describeLayer(uki.store, layer)).toMatchInlineSnapshot(`
      [
        ".wh..metalayer file 0644 0:0 mtime=0.000000000 size=0 xattrs=0",
      ]
    `);
    expect(bls.image.manifest.layers.at(-1)).toEqual(layer);
    expect(layer).toMatchInlineSnapshot(`
      {
        "annotations": {
          "dev.metalayer.layer.role": "whiteout",
          "dev.metalayer.strategy": "hidden-whiteout",
        },
        "digest": "sha256:65bdc3b3da70da56b95be20067c963b1aa668478068a2ef9b2fffd19b21b9356",
        "mediaType": "application/vnd.oci.image.layer.v1.tar",
        "size": 1536,
      }
    `);
  });

  it('UKI: config labels name both layers by diff_id and the UKI by its fs-verity digest', () => {
    expect(namedLabels(uki, ['.metalayer/EFI/Linux/conformance.efi'])).toMatchInlineSnapshot(`
      {
        "composefs.merged.bootable.erofs.v1.fsverity-sha512-12": "<bootable digest on the command line>",
        "containers.bootc": "1",
        "dev.metalayer.hidden-whiteout.meta-layer": "<diff_id of the meta layer>",
        "dev.metalayer.hidden-whiteout.uki.fsverity-sha512-12": "<fs-verity sha512 of /.metalayer/EFI/Linux/conformance.efi>",
        "dev.metalayer.hidden-whiteout.whiteout-layer": "<diff_id of the whiteout layer>",
        "dev.metalayer.strategy": "hidden-whiteout",
      }
    `);
  });

  it('BLS: config labels name the entry, the kernel and each initrd by fs-verity digest', () => {
    const dir = '.metalayer/conformance/6.99.0-conformance';
    const files = ['.metalayer/loader/entries/conformance-6.99.0-conformance.conf', `${dir}/vmlinuz`, `${dir}/initrd`, `${dir}/microcode`];
    expect(namedLabels(bls, files)).toMatchInlineSnapshot(`
      {
        "composefs.merged.bootable.erofs.v1.fsverity-sha512-12": "<bootable digest on the command line>",
        "containers.bootc": "1",
        "dev.metalayer.hidden-whiteout.entry.fsverity-sha512-12": "<fs-verity sha512 of /.metalayer/loader/entries/conformance-6.99.0-conformance.conf>",
        "dev.metalayer.hidden-whiteout.initrd.0.fsverity-sha512-12": "<fs-verity sha512 of /.metalayer/conformance/6.99.0-conformance/initrd>",
        "dev.metalayer.hidden-whiteout.initrd.1.fsverity-sha512-12": "<fs-verity sha512 of /.metalayer/conformance/6.99.0-conformance/microcode>",
        "dev.metalayer.hidden-whiteout.kernel.fsverity-sha512-12": "<fs-verity sha512 of /.metalayer/conformance/6.99.0-conformance/vmlinuz>",
        "dev.metalayer.hidden-whiteout.meta-layer": "<diff_id of the meta layer>",
        "dev.metalayer.hidden-whiteout.whiteout-layer": "<diff_id of the whiteout layer>",
        "dev.metalayer.strategy": "hidden-whiteout",
      }
    `);
  });

  it('the manifest adds two annotated plain-tar layers, keeps the base’s and its annotations, adds the digest hint; history gains two entries', async () => {
    const base = await resolveImage(uki.store, BASE_TAG);
    const { layers, annotations } = uki.image.manifest;
    expect(layers.slice(0, -2)).toEqual(base.manifest.layers);
    expect(layers.slice(-2).map(({ digest: _digest, size: _size, ...rest }) => rest)).toMatchInlineSnapshot(`
      [
        {
          "annotations": {
            "dev.metalayer.layer.role": "meta",
            "dev.metalayer.strategy": "hidden-whiteout",
          },
          "mediaType": "application/vnd.oci.image.layer.v1.tar",
        },
        {
          "annotations": {
            "dev.metalayer.layer.role": "whiteout",
            "dev.metalayer.strategy": "hidden-whiteout",
          },
          "mediaType": "application/vnd.oci.image.layer.v1.tar",
        },
      ]
    `);
    expect(annotations).toEqual({
      ...base.manifest.annotations,
      'org.opencontainers.image.base.digest': base.descriptor.digest,
      'composefs.merged.bootable.erofs.v1.fsverity-sha512-12': uki.result.composefsDigest.hex,
    });
    expect(uki.image.config.history?.slice(-2)).toMatchInlineSnapshot(`
      [
        {
          "created_by": "metalayer hidden-whiteout: add the boot payload under /.metalayer",
        },
        {
          "created_by": "metalayer hidden-whiteout: white out /.metalayer",
        },
      ]
    `);
    expect(uki.result.added.map((d) => d.mediaType)).toMatchInlineSnapshot(`
      [
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
      ]
    `);
  });

  // bootctl wants --esp-path to be a mount point; a bind mount onto itself (root only) satisfies it.
  it.skipIf(process.getuid?.() !== 0 || !haveTools('bootctl', 'mount', 'umount'))(
    'the private directory is a $BOOT tree: bootctl lists the UKI and the Type #1 entry from it',
    () => {
      const list = (attached: Attached): string => {
        const esp = join(unpackMeta(attached), '.metalayer');
        run('mount', ['--bind', esp, esp]);
        try {
          const env = { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: '1', SYSTEMD_PAGER: 'cat' };
          return run('bootctl', [`--esp-path=${esp}`, '--no-variables', 'list'], { env }).stdout.toString();
        } finally {
          run('umount', [esp]);
        }
      };
      const fields = (text: string): string[] =>
        text
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => /^(type|title|version|linux|initrd|options|source):/.test(line))
          .map((line) => line.replace(/\/tmp\/[^ ]*\/\.metalayer/, '$ESP').replace(/[0-9a-f]{128}/, '<digest>'));
      expect(fields(list(uki))).toMatchInlineSnapshot(`
        [
          "type: Boot Loader Specification Type #2 (.efi)",
          "title: Conformance OS 1 (default) (not reported/new)",
          "source: $ESP/EFI/Linux/conformance.efi",
          "version: 1",
          "linux: EFI/Linux/conformance.efi",
          "options: console=ttyS0 rw quiet composefs.digest=v1-sha512-12:<digest>",
        ]
      `);
      expect(fields(list(bls))).toMatchInlineSnapshot(`
        [
          "type: Boot Loader Specification Type #1 (.conf)",
          "title: Conformance OS 1 (default) (not reported/new)",
          "source: $ESP/loader/entries/conformance-6.99.0-conformance.conf",
          "version: 6.99.0-conformance",
          "linux: /conformance/6.99.0-conformance/vmlinuz",
          "initrd: /conformance/6.99.0-conformance/initrd",
          "options: console=ttyS0 rw quiet composefs.digest=v1-sha512-12:<digest>",
        ]
      `);
    },
  );

  it('locate reports the meta layer, the payload paths and the label claims', async () => {
    const located = await createHiddenWhiteoutStrategy().locate(ctx, { store: bls.store, reference: 'attached' });
    expect(located.origin.kind === 'layer' && located.origin.layer).toEqual(bls.image.manifest.layers.at(-2));
    expect(located.origin.kind === 'layer' && located.origin.paths).toMatchInlineSnapshot(`
      [
        ".metalayer/loader/entries/conformance-6.99.0-conformance.conf",
        ".metalayer/conformance/6.99.0-conformance/vmlinuz",
        ".metalayer/conformance/6.99.0-conformance/initrd",
        ".metalayer/conformance/6.99.0-conformance/microcode",
      ]
    `);
    expect(Object.keys(located.claims)).toMatchInlineSnapshot(`
      [
        "composefs.merged.bootable.erofs.v1.fsverity-sha512-12",
        "dev.metalayer.hidden-whiteout.entry.fsverity-sha512-12",
        "dev.metalayer.hidden-whiteout.initrd.0.fsverity-sha512-12",
        "dev.metalayer.hidden-whiteout.initrd.1.fsverity-sha512-12",
        "dev.metalayer.hidden-whiteout.kernel.fsverity-sha512-12",
        "dev.metalayer.hidden-whiteout.meta-layer",
        "dev.metalayer.hidden-whiteout.whiteout-layer",
        "dev.metalayer.strategy",
      ]
    `);
    expect(located.image.descriptor.digest).toBe(bls.result.image.digest);
    expect(located.payload).toMatchObject({ kind: 'bls', kernelVersion: '6.99.0-conformance', title: 'Conformance OS 1' });
  });
});
