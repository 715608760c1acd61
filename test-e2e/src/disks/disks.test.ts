import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTools, prngBytes, useTempDir } from '@metalayer/test-utils';
import { runTool } from '../tools';
import { buildDataDisk, DATA_DISK_LABEL } from './data-disk';
import { buildEsp, espFilesFromDir, systemdBootFiles } from './esp';
import { FIRMWARE } from '../qemu/firmware';

describe.skipIf(!haveTools('mkfs.ext4', 'dumpe2fs', 'debugfs'))('buildDataDisk', () => {
  const tmp = useTempDir('metalayer-disk-');

  it('makes an ext4 image with 4 KiB blocks, the verity feature, the label and the staged files', async () => {
    const stage = join(tmp, 'stage');
    mkdirSync(join(stage, 'composefs/objects/ab'), { recursive: true });
    writeFileSync(join(stage, 'composefs/objects/ab/cdef'), prngBytes('obj', 10_000));
    const disk = await buildDataDisk({ stageDir: stage, out: join(tmp, 'disk.img') });
    expect(disk.sizeMiB).toBeGreaterThanOrEqual(32);
    const header = runTool('dumpe2fs', ['-h', disk.path]).stdout.toString();
    expect(header).toMatch(/^Filesystem volume name:\s+cfsdisk$/m);
    expect(header).toMatch(/^Block size:\s+4096$/m);
    expect(header).toMatch(/^Filesystem features:.*\bverity\b/m);
    const stat = runTool('debugfs', ['-R', 'stat /composefs/objects/ab/cdef', disk.path]).stdout.toString();
    expect(stat).toMatch(/Size: 10000\b/);
    expect(DATA_DISK_LABEL).toBe('cfsdisk');
  });
});

describe.skipIf(!haveTools('mkfs.vfat', 'mmd', 'mcopy', 'mtype', 'fsck.vfat') || !existsSync(FIRMWARE.systemdBoot))('buildEsp', () => {
  const tmp = useTempDir('metalayer-esp-');

  it('builds a FAT image holding systemd-boot, loader.conf and a boot-root tree', async () => {
    const bootRoot = join(tmp, 'boot-root');
    mkdirSync(join(bootRoot, 'loader/entries'), { recursive: true });
    mkdirSync(join(bootRoot, 'metalayer/6.12.0'), { recursive: true });
    writeFileSync(join(bootRoot, 'loader/entries/metalayer-6.12.0.conf'), 'title t\nlinux /metalayer/6.12.0/linux\n');
    writeFileSync(join(bootRoot, 'metalayer/6.12.0/linux'), prngBytes('kernel', 300_000));
    const files = [...espFilesFromDir(bootRoot), ...systemdBootFiles('metalayer-6.12.0.conf')];
    const esp = await buildEsp({ out: join(tmp, 'esp.img'), files });
    const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
    runTool('fsck.vfat', ['-n', esp.path]);
    expect(runTool('mtype', ['-i', esp.path, '::/loader/loader.conf'], { env }).stdout.toString()).toBe(
      'default metalayer-6.12.0.conf\ntimeout 0\nconsole-mode keep\neditor no\n',
    );
    expect(runTool('mtype', ['-i', esp.path, '::/loader/entries/metalayer-6.12.0.conf'], { env }).stdout.toString()).toContain(
      'linux /metalayer/6.12.0/linux',
    );
    const copied = join(tmp, 'linux.out');
    runTool('mcopy', ['-i', esp.path, '::/metalayer/6.12.0/linux', copied], { env });
    const loader = join(tmp, 'bootx64.out');
    runTool('mcopy', ['-i', esp.path, '::/EFI/BOOT/BOOTX64.EFI', loader], { env });
    expect(readFileSync(copied).equals(prngBytes('kernel', 300_000))).toBe(true);
    expect(readFileSync(loader).equals(readFileSync(FIRMWARE.systemdBoot))).toBe(true);
  });

  it('refuses paths that climb out of the ESP', async () => {
    await expect(buildEsp({ out: join(tmp, 'bad.img'), files: [{ path: '/a/../../x', source: { bytes: 'x' } }] })).rejects.toThrow(
      /bad ESP path/,
    );
  });
});
