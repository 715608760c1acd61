import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TarWriteEntry } from '@metalayer/oci';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { computeImageIds } from '@metalayer/rootfs';
import { main } from '../cli';
import { buildTestImage } from '@metalayer/test-fixtures';
import { OS_LAYERS } from '@metalayer/test-fixtures';
import { captureIo } from '../test-support/capture-io';

const enc = new TextEncoder();
describe('metalayer compute-id', () => {
  const dir = useTempDir('cli-compute-id-');
  const layout = () => join(dir, 'layout');
  const image = async (layers = OS_LAYERS, tag = 'v1') =>
    buildTestImage(
      layout(),
      layers.map((entries, i) => ({ entries, compression: i % 2 ? 'gzip' : 'none' })),
      tag,
    );

  it('prints the sha512/V1 id by default, and what the flags ask for', async () => {
    const { store, image: img, reference } = await image();
    const [plain, bootable, v0] = await Promise.all([
      computeImageIds(store, img),
      computeImageIds(store, img, undefined, { bootable: true }),
      computeImageIds(store, img, [{ algorithm: 'sha256', erofsVersion: 0 }]),
    ]);
    for (const [args, want] of [
      [[], plain[0]!.hex],
      [['--bootable'], bootable[0]!.hex],
      [['--hash', 'sha256', '--erofs-version', '0'], v0[0]!.hex],
    ] as const) {
      const c = captureIo();
      expect(await main(['compute-id', ...args, reference], c.io), c.err()).toBe(0);
      expect(c.text()).toBe(`${want}\n`);
    }
    expect(plain[0]!.hex).not.toBe(bootable[0]!.hex);
  });

  it('--json reports the id, its kernel argument and the layers', async () => {
    const { reference } = await image(OS_LAYERS, 'json');
    const c = captureIo();
    expect(await main(['compute-id', '--bootable', '--json', reference], c.io), c.err()).toBe(0);
    const report = JSON.parse(c.text());
    expect(report).toMatchObject({
      algorithm: 'sha512',
      erofsVersion: 1,
      composefsVersion: 1,
      bootable: true,
      xattrs: 'allowlist-only',
      selinuxPolicy: null,
    });
    expect(report.karg).toBe(`composefs.digest=v1-sha512-12:${report.id}`);
    expect(report.layers).toHaveLength(2);
  });

  it('equals the digest of the image mkcomposefs builds from the dump (checked with fsverity digest)', async () => {
    const { reference } = await image(OS_LAYERS, 'pipe');
    const id = captureIo();
    expect(await main(['compute-id', '--bootable', '--hash', 'sha256', reference], id.io), id.err()).toBe(0);
    const dump = captureIo();
    expect(await main(['dump', '--bootable', '--hash', 'sha256', reference], dump.io), dump.err()).toBe(0);
    const out = join(dir, 'from-dump.cfs');
    const mk = captureIo({ stdin: dump.out() });
    expect(await main(['mkcomposefs', '--min-version', '1', '--max-version', '1', '--from-file', '-', out], mk.io), mk.err()).toBe(0);
    if (haveTools('fsverity')) {
      expect(run('fsverity', ['digest', '--compact', out]).stdout.toString().trim()).toBe(id.text().trim());
    }
    expect(readFileSync(out).length % 4096).toBe(0);
  });

  it('fails clearly: bad flags (exit 2), a bootable image without /sysroot (exit 3), an SELinux policy (exit 3 unless told)', async () => {
    const { reference } = await image(OS_LAYERS, 'flags');
    const bad = captureIo();
    expect(await main(['compute-id', '--hash', 'md5', reference], bad.io)).toBe(2);
    expect(bad.err()).toContain('--hash must be sha256 or sha512');

    const noSysroot = await image([OS_LAYERS[0]!.filter((e) => e.name !== 'sysroot/')], 'nosysroot');
    const c = captureIo();
    expect(await main(['compute-id', '--bootable', noSysroot.reference], c.io)).toBe(3);
    expect(c.err()).toContain('/sysroot is missing');
    expect(c.err()).toContain('hint:');

    const selinux = [
      ...OS_LAYERS,
      [
        { name: 'etc/selinux/', type: 'directory' } as TarWriteEntry,
        { name: 'etc/selinux/config', type: 'file', body: enc.encode('SELINUXTYPE=targeted\n') } as TarWriteEntry,
      ],
    ];
    const withPolicy = await image(selinux, 'selinux');
    const refused = captureIo();
    expect(await main(['compute-id', '--bootable', withPolicy.reference], refused.io)).toBe(3);
    expect(refused.err()).toContain('SELinux policy "targeted"');
    expect(refused.err()).toContain('--no-selinux-relabel');
    const ignored = captureIo();
    expect(await main(['compute-id', '--bootable', '--no-selinux-relabel', withPolicy.reference], ignored.io), ignored.err()).toBe(0);
    expect(ignored.err()).toContain('computed without labels');
    expect(ignored.text()).toMatch(/^[0-9a-f]{128}\n$/);
  });
});
