import { constants, accessSync, createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { newcArchive } from '../initramfs/newc-archive';
import { requireKernel } from '../kernel/kernel';
import { e2eCacheDir } from '../paths';
import { busyboxEntries, findBusybox } from '../tree/busybox';
import { dir, file, withParentDirs } from '../tree/fs-tree';
import { bootQemu } from './boot-qemu';

/** Probe boots must finish well within this; a broken nested KVM hangs instead. */
const KVM_PROBE_TIMEOUT_MS = 30_000;

let decision: Promise<'tcg' | 'kvm'> | undefined;

async function probeInitramfs(): Promise<string> {
  const out = join(e2eCacheDir, 'kvm-probe', 'initrd.cpio.gz');
  await mkdir(join(e2eCacheDir, 'kvm-probe'), { recursive: true });
  const tree = withParentDirs([
    dir('/dev'),
    dir('/proc'),
    ...busyboxEntries(findBusybox(), '/bin/busybox'),
    file('/init', '#!/bin/sh\n/bin/echo MARK kvm-probe-ok\n/bin/poweroff -f\n', 0o755),
  ]);
  const tmp = `${out}.tmp-${process.pid}`;
  await pipeline(Readable.from(newcArchive(tree)), createGzip(), createWriteStream(tmp));
  await rename(tmp, out);
  return out;
}

/**
 * Boots the e2e kernel under KVM with a busybox-only initramfs. True only when
 * the guest reaches its init: on some hosts `/dev/kvm` exists but nested KVM
 * hangs in early boot or aborts QEMU (see docs/qemu-boot.md §9).
 */
export async function probeKvm(): Promise<boolean> {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  const kernel = requireKernel();
  const result = await bootQemu({
    name: 'kvm-probe',
    accel: 'kvm',
    boot: { kind: 'direct', kernel: kernel.vmlinuz, initrd: await probeInitramfs(), append: 'console=ttyS0 panic=-1 quiet' },
    success: /MARK kvm-probe-ok/,
    timeoutMs: KVM_PROBE_TIMEOUT_MS,
    graceMs: 1000,
    quiet: true,
  });
  return result.ok;
}

/**
 * The accelerator for e2e boots: TCG unless `METALAYER_E2E_KVM=1` and a probe
 * boot under KVM succeeds (decided once per process; a failed probe falls back to TCG).
 */
export function chooseAccel(): Promise<'tcg' | 'kvm'> {
  decision ??= (async () => {
    if (process.env.METALAYER_E2E_KVM !== '1') return 'tcg';
    const ok = await probeKvm();
    if (!ok) process.stderr.write('METALAYER_E2E_KVM=1 but the KVM probe boot failed; using TCG\n');
    return ok ? 'kvm' : 'tcg';
  })();
  return decision;
}
