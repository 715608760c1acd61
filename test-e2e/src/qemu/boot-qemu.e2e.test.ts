import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '@metalayer/test-utils';
import { BASE_CMDLINE } from '../fixtures/harness-fixture';
import { newcArchive } from '../initramfs/newc-archive';
import { requireKernel } from '../kernel/kernel';
import { canBoot } from '../preflight';
import { busyboxEntries, findBusybox } from '../tree/busybox';
import { dir, file, withParentDirs } from '../tree/fs-tree';
import { bootQemu } from './boot-qemu';

function gone(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// The runner's own contract: every way a boot can end is reported, and QEMU never outlives bootQemu().
describe.skipIf(!canBoot())('bootQemu', () => {
  const tmp = useTempDir('metalayer-e2e-qemu-');
  const initrd = join(tmp, 'hang.cpio.gz');

  beforeAll(async () => {
    // An init that announces itself and then never powers off.
    const tree = withParentDirs([
      dir('/dev'),
      dir('/proc'),
      ...busyboxEntries(findBusybox(), '/bin/busybox'),
      file('/init', '#!/bin/sh\necho "MARK hang-init \x1b[1mbold\x1b[0m"\nwhile :; do sleep 1; done\n', 0o755),
    ]);
    await pipeline(Readable.from(newcArchive(tree)), createGzip(), createWriteStream(initrd));
  });

  it('kills QEMU when the overall timeout expires', async () => {
    const kernel = requireKernel();
    const result = await bootQemu({
      name: 'qemu-timeout',
      boot: { kind: 'direct', kernel: kernel.vmlinuz, initrd, append: BASE_CMDLINE },
      timeoutMs: 2000,
      quiet: true,
    });
    expect(result.ok).toBe(false);
    expect(result.reason).toBe('timeout');
    expect(result.exit?.signal).toBe('SIGKILL');
    expect(gone(result.pid)).toBe(true);
  });

  it('stops a boot when its signal aborts, keeping the marks seen so far (ANSI stripped)', async () => {
    const kernel = requireKernel();
    const abort = new AbortController();
    const result = await bootQemu({
      name: 'qemu-abort',
      boot: { kind: 'direct', kernel: kernel.vmlinuz, initrd, append: BASE_CMDLINE },
      success: /never printed/,
      signal: abort.signal,
      onMark: (mark) => {
        if (mark.text.startsWith('hang-init')) abort.abort();
      },
      quiet: true,
    });
    expect(result.ok).toBe(false);
    expect(result.reason).toBe('aborted');
    expect(result.marks.map((m) => m.text)).toEqual(['hang-init bold']);
    expect(result.exit?.signal).toBe('SIGKILL');
    expect(gone(result.pid)).toBe(true);
  });

  it('reports a kernel panic (no initramfs → no root) as a failure line and leaves no process', async () => {
    const kernel = requireKernel();
    const result = await bootQemu({
      name: 'qemu-panic',
      boot: { kind: 'direct', kernel: kernel.vmlinuz, append: BASE_CMDLINE },
      quiet: true,
    });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/^failure: .*Kernel panic/);
    expect(gone(result.pid)).toBe(true);
  });

  it('reports a QEMU that cannot start (bad disk path) as an exit before a decision', async () => {
    const kernel = requireKernel();
    const result = await bootQemu({
      name: 'qemu-bad-disk',
      boot: { kind: 'direct', kernel: kernel.vmlinuz, initrd, append: BASE_CMDLINE },
      disks: [{ path: join(tmp, 'does-not-exist.img') }],
      quiet: true,
    });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/^qemu exited \(code 1, signal null\) before a decision$/);
    expect(result.log.join('\n')).toMatch(/\[qemu-stderr\] .*does-not-exist\.img/);
  });
});
