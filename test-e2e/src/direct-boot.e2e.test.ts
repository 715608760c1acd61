import { copyFileSync, cpSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '@metalayer/test-utils';
import { buildDataDisk } from './disks/data-disk';
import { buildHarnessFixture, composefsKarg, kernelCmdline, tamperedDataDisk, type HarnessFixture } from './fixtures/harness-fixture';
import { canBoot } from './preflight';
import { assertComposefsBoot } from './qemu/assert-boot';
import { bootQemu, describeBoot } from './qemu/boot-qemu';
import { BOOT_OUTCOMES } from './qemu/boot-outcomes';
import { markValue } from './qemu/serial-console';

// Harness-level boots without a boot loader: QEMU loads the kernel and the
// initramfs, the initramfs mounts the composefs image named on the command line.
describe.skipIf(!canBoot())('direct kernel boot of the composefs initramfs', () => {
  const tmp = useTempDir('metalayer-e2e-direct-');
  let fx: HarnessFixture;

  beforeAll(async () => {
    fx = await buildHarnessFixture({ workDir: tmp });
  });

  const direct = (cmdline: string) => ({ kind: 'direct' as const, kernel: fx.kernel.vmlinuz, initrd: fx.initramfs.path, append: cmdline });

  it('boots into the composefs root with verity=require, then a second boot enables nothing', async () => {
    // No -snapshot on a private copy: the first boot's `fsverity enable` must persist.
    const disk = join(tmp, 'persistent.img');
    copyFileSync(fx.dataDisk, disk);
    const first = await bootQemu({
      name: 'direct-first-boot',
      boot: direct(kernelCmdline(composefsKarg(fx.repo.digest))),
      disks: [{ path: disk }],
      snapshot: false,
    });
    assertComposefsBoot(first, 'direct-first-boot', { digest: fx.repo.digest, marker: fx.os.bigMarker });
    expect(markValue(first.marks, 'small-marker')).toBe(fx.os.smallMarker);
    // the image and every object (image included) got fs-verity on first boot
    expect(Number(markValue(first.marks, 'verity-enabled-now'))).toBe(fx.repo.objects.size + 1);

    const second = await bootQemu({
      name: 'direct-second-boot',
      boot: direct(kernelCmdline(`composefs=${fx.repo.digest}`)),
      disks: [{ path: disk }],
      snapshot: false,
    });
    assertComposefsBoot(second, 'direct-second-boot', { digest: fx.repo.digest, marker: fx.os.bigMarker });
    expect(markValue(second.marks, 'verity-enabled-now')).toBe('0');
  });

  it('fails the read of an object altered on disk: overlayfs reports EIO, the guest says so', async () => {
    const disk = await tamperedDataDisk(fx, '/etc/marker-big', join(tmp, 'tampered.img'));
    const result = await bootQemu({
      name: 'direct-tampered-object',
      boot: direct(kernelCmdline(composefsKarg(fx.repo.digest))),
      disks: [{ path: disk }],
      ...BOOT_OUTCOMES.objectReadFails,
    });
    expect(result.ok, describeBoot(result, 'direct-tampered-object')).toBe(true);
    // The image itself is intact, so the initramfs mounted it with verity=require…
    expect(markValue(result.marks, 'image-digest-ok')).toBe('');
    expect(markValue(result.marks, 'overlay')).toMatch(/verity=require/);
    // …and the kernel refused the object's content.
    expect(markValue(result.marks, 'FAIL')).toMatch(/Input\/output error/);
    expect(result.marks.map((m) => m.text).join('\n')).toMatch(/kmsg .*overlayfs: .*wrong fs-verity digest/);
  });

  it('does not mount anything when the command line names an image the repository lacks', async () => {
    const other = fx.repo.digest.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    const result = await bootQemu({
      name: 'direct-unknown-digest',
      boot: direct(kernelCmdline(composefsKarg(other))),
      disks: [{ path: fx.dataDisk }],
      ...BOOT_OUTCOMES.imageNotFound,
    });
    expect(result.ok, describeBoot(result, 'direct-unknown-digest')).toBe(true);
    expect(markValue(result.marks, 'image-missing', 'digest')).toBe(other);
    const texts = result.marks.map((m) => m.text);
    expect(texts.some((t) => /^(image |erofs-mounted|overlay|switch-root)/.test(t))).toBe(false);
  });

  it('refuses an image whose fs-verity digest is not the one its name and the command line claim', async () => {
    // An attacker renames a valid image: images/<claimed> → the real image's object.
    const claimed = fx.repo.digest.replace(/^./, (c) => (c === 'f' ? 'e' : 'f'));
    const stage = join(tmp, 'stage-renamed');
    cpSync(fx.stageDir, stage, { recursive: true, verbatimSymlinks: true });
    symlinkSync(readlinkSync(fx.repo.imagePath), join(stage, 'composefs', 'images', claimed));
    const disk = await buildDataDisk({ stageDir: stage, out: join(tmp, 'renamed.img') });
    const result = await bootQemu({
      ...BOOT_OUTCOMES.imageDigestMismatch,
      name: 'direct-renamed-image',
      boot: direct(kernelCmdline(composefsKarg(claimed))),
      disks: [{ path: disk.path }],
    });
    expect(result.ok, describeBoot(result, 'direct-renamed-image')).toBe(true);
    expect(markValue(result.marks, 'image-measure')).toBe(`sha256:${fx.repo.digest}`);
    expect(result.marks.some((m) => /^(erofs-mounted|overlay|switch-root)/.test(m.text))).toBe(false);
  });
});
