import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { BootPayload } from '@metalayer/core';
import { buildUki, encodeNewcArchive, readKernelUname } from '@metalayer/boot';
import { lazyFileSource, writeSourceFile } from '@metalayer/boot/node';
import { DEMO_OS_RELEASE } from './demo-image';

/** Debian's systemd-boot-efi stub: when installed, the demo builds a real UKI on it. */
export const DEMO_STUB = '/usr/lib/systemd/boot/efi/linuxx64.efi.stub';

/** Where the demo looks for a real kernel, in order. */
export function kernelCandidates(env: NodeJS.ProcessEnv): string[] {
  return [
    ...(env.METALAYER_KERNEL_DIR ? [join(env.METALAYER_KERNEL_DIR, 'vmlinuz')] : []),
    `/usr/lib/modules/${release()}/vmlinuz`,
    `/boot/vmlinuz-${release()}`,
  ];
}

const readable = (path: string) =>
  access(path, constants.R_OK).then(
    () => true,
    () => false,
  );

/** What the demo attaches and where its parts came from. */
export interface DemoPayload {
  payload: BootPayload;
  kernel: string;
  stub: string | undefined;
}

/**
 * The demo's kernel payload: the host's (or `$METALAYER_KERNEL_DIR`'s) kernel
 * when one is readable, else a generated stand-in (clearly named, never
 * booted); a generated initrd; a UKI on the systemd stub when it is
 * installed, else a BLS type #1 set.
 */
export async function makeDemoPayload(dir: string, env: NodeJS.ProcessEnv, stub = DEMO_STUB): Promise<DemoPayload> {
  let kernelPath: string | undefined;
  for (const candidate of kernelCandidates(env)) {
    if (await readable(candidate)) {
      kernelPath = candidate;
      break;
    }
  }
  if (!kernelPath) {
    kernelPath = join(dir, 'demo-kernel-not-bootable');
    await writeFile(kernelPath, `metalayer demo: no kernel was readable on this machine; this file stands in for one.\n`.repeat(64));
  }
  const init = new TextEncoder().encode('#!/bin/sh\necho "metalayer demo initrd"\n');
  const initrd = new Uint8Array(
    await buffer(
      Readable.from(
        encodeNewcArchive([
          { type: 'directory', path: '.' },
          { type: 'file', path: 'init', mode: 0o755, data: init, size: init.length },
        ]),
      ),
    ),
  );
  const initrdPath = join(dir, 'demo-initrd.cpio');
  await writeFile(initrdPath, initrd);
  const kernel = await lazyFileSource(kernelPath);
  const kernelVersion = (await readKernelUname(kernel)) ?? '0.0.0-demo';
  const cmdline = 'console=ttyS0 rw';
  if (await readable(stub)) {
    const built = await buildUki({
      stub: await lazyFileSource(stub),
      linux: kernel,
      initrds: [initrd],
      cmdline,
      osRelease: DEMO_OS_RELEASE,
      uname: kernelVersion,
    });
    const ukiPath = join(dir, 'demo.efi');
    await writeSourceFile(ukiPath, built.source);
    return {
      payload: { kind: 'uki', uki: { name: 'metalayer-demo.efi', data: await lazyFileSource(ukiPath) }, kernelVersion },
      kernel: kernelPath,
      stub,
    };
  }
  return {
    payload: {
      kind: 'bls',
      kernel: { name: 'linux', data: kernel },
      initrds: [{ name: 'initrd', data: await lazyFileSource(initrdPath) }],
      options: cmdline,
      kernelVersion,
      osRelease: DEMO_OS_RELEASE,
    },
    kernel: kernelPath,
    stub: undefined,
  };
}
