import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { run, useTempDir } from '@metalayer/test-utils';
import { requireKernel } from '../kernel/kernel';
import { canBoot } from '../preflight';
import { buildInitramfs } from './build-initramfs';
import { lddDependencies } from './shared-libraries';

describe.skipIf(!canBoot())('buildInitramfs', () => {
  const tmp = useTempDir('metalayer-initramfs-');

  it('packs busybox, the modules in load order, fsverity with its libraries, and /init', async () => {
    const out = join(tmp, 'initrd.cpio.gz');
    const result = await buildInitramfs({ kernel: requireKernel(), out });
    const cpio = gunzipSync(readFileSync(out));
    const listing = new Set(run('cpio', ['-t', '--quiet'], { input: cpio }).stdout.toString().trim().split('\n'));
    for (const p of [
      'init',
      'bin/busybox',
      'bin/sh',
      'bin/switch_root',
      'bin/findfs',
      'bin/fsverity',
      'lib/cfs-lib.sh',
      'lib/modules/load-order',
    ]) {
      expect(listing).toContain(p);
    }
    for (const m of ['ext4', 'erofs', 'overlay', 'loop', 'virtio_blk', 'crc32c_generic', 'libcrc32c']) {
      expect(result.moduleOrder).toContain(m);
      expect(listing).toContain(`lib/modules/${m}.ko`);
    }
    expect(result.moduleOrder.indexOf('jbd2')).toBeLessThan(result.moduleOrder.indexOf('ext4'));
    expect(result.moduleOrder.indexOf('libcrc32c')).toBeLessThan(result.moduleOrder.indexOf('erofs'));
    for (const dep of lddDependencies(run('sh', ['-c', 'command -v fsverity']).stdout.toString().trim())) {
      expect(listing).toContain(dep.name.startsWith('/') ? dep.name.slice(1) : `lib/x86_64-linux-gnu/${dep.name}`);
    }
    // The modules are stored uncompressed: busybox insmod cannot read .ko.xz.
    const extract = join(tmp, 'x');
    run('sh', ['-c', `mkdir -p ${extract} && cd ${extract} && cpio -idm --quiet lib/modules/ext4.ko lib/modules/load-order`], {
      input: cpio,
    });
    expect(readFileSync(join(extract, 'lib/modules/ext4.ko')).subarray(0, 4)).toEqual(Buffer.from('\x7fELF', 'latin1'));
    expect(readFileSync(join(extract, 'lib/modules/load-order'), 'utf8')).toBe(result.moduleOrder.map((m) => `${m}\n`).join(''));
  });

  it('fails when ldd cannot resolve a library of a binary to copy', async () => {
    const bin = join(tmp, 'needs-missing-lib');
    // A copy of a dynamic binary whose interpreter is fine but whose RUNPATH-less
    // dependency cannot be found: LD_LIBRARY_PATH is what put libfsverity there.
    run('sh', ['-c', `cp "$(command -v fsverity)" ${bin} && sed -i 's/libfsverity.so.0/libnotthere.so.0/' ${bin}`]);
    await expect(buildInitramfs({ kernel: requireKernel(), out: join(tmp, 'bad.cpio.gz'), binaries: [bin] })).rejects.toThrow(/not found/);
  });
});
