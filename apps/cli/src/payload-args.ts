import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InvalidArgumentError, type BootPayload, type PayloadFile } from '@metalayer/core';
import { buildUki, readKernelUname, readUki, readUkiText } from '@metalayer/boot';
import { lazyFileSource, writeSourceFile } from '@metalayer/boot/node';
import type { OptionSpecs } from './command';

/** The flags that describe a boot payload (`attach`, `compare`). */
export const payloadOptions = {
  uki: { type: 'string', valueName: 'FILE', description: 'A Unified Kernel Image (unsigned: its .cmdline is rewritten).' },
  kernel: { type: 'string', valueName: 'FILE', description: 'A kernel image (BLS type #1 payload, or a UKI with --stub).' },
  initrd: { type: 'string', valueName: 'FILE', multiple: true, description: 'An initrd, in boot order.' },
  cmdline: { type: 'string', valueName: 'ARGS', description: 'Kernel command line besides the composefs argument (default: empty).' },
  stub: { type: 'string', valueName: 'FILE', description: 'systemd-stub to build a UKI from --kernel/--initrd (e.g. /usr/lib/systemd/boot/efi/linuxx64.efi.stub).' },
  'os-release': { type: 'string', valueName: 'FILE', description: "os-release for the UKI's .osrel or the BLS title." },
  'kernel-version': { type: 'string', valueName: 'KVER', description: 'Kernel version (default: from the UKI .uname or the bzImage header).' },
  title: { type: 'string', valueName: 'TEXT', description: 'BLS entry title (default: PRETTY_NAME of --os-release).' },
} as const satisfies OptionSpecs;

/** Values of {@link payloadOptions}. */
export interface PayloadOptionValues {
  uki?: string;
  kernel?: string;
  initrd?: string[];
  cmdline?: string;
  stub?: string;
  'os-release'?: string;
  'kernel-version'?: string;
  title?: string;
}

async function fileArg(path: string, name = basename(path)): Promise<PayloadFile> {
  return { name, data: await lazyFileSource(path) };
}

/**
 * The payload the flags describe: `--uki FILE`; or `--kernel F [--initrd F]…
 * [--cmdline S]` as a BLS set; or the same with `--stub F` assembled into a
 * UKI (written under `tempDir`).
 */
export async function payloadFromArgs(values: PayloadOptionValues, tempDir: string): Promise<BootPayload> {
  if (values.uki && values.kernel) {
    throw new InvalidArgumentError({ argument: '--uki', message: '--uki and --kernel are alternatives', hint: 'give a UKI, or a kernel and its initrds' });
  }
  const osRelease = values['os-release'] ? await readFile(values['os-release'], 'utf8') : undefined;
  if (values.uki) {
    for (const flag of ['initrd', 'stub', 'cmdline'] as const) {
      if (values[flag] !== undefined) {
        throw new InvalidArgumentError({ argument: `--${flag}`, message: `--${flag} does not apply to --uki (the UKI carries its own)` });
      }
    }
    const uki = await fileArg(values.uki);
    const kernelVersion = values['kernel-version'] ?? (await readUkiText(await readUki(uki.data, { subject: values.uki }), '.uname'))?.trim();
    return { kind: 'uki', uki, ...(kernelVersion ? { kernelVersion } : {}) };
  }
  if (!values.kernel) {
    throw new InvalidArgumentError({
      argument: '--uki',
      message: 'no payload: give --uki FILE, or --kernel FILE [--initrd FILE]… [--cmdline ARGS] [--stub FILE]',
    });
  }
  const kernel = await fileArg(values.kernel, 'linux');
  const initrds = await Promise.all((values.initrd ?? []).map((p) => fileArg(p)));
  const kernelVersion = values['kernel-version'] ?? (await readKernelUname(kernel.data));
  const cmdline = values.cmdline ?? '';
  if (values.stub) {
    const built = await buildUki({
      stub: await lazyFileSource(values.stub),
      linux: kernel.data,
      initrds: initrds.map((i) => i.data),
      cmdline,
      ...(osRelease ? { osRelease } : {}),
      ...(kernelVersion ? { uname: kernelVersion } : {}),
      subject: { stub: values.stub, linux: values.kernel },
    });
    const path = join(tempDir, `built-${kernelVersion ?? 'linux'}.efi`);
    await writeSourceFile(path, built.source);
    return { kind: 'uki', uki: await fileArg(path, `${kernelVersion ?? 'linux'}.efi`), ...(kernelVersion ? { kernelVersion } : {}) };
  }
  return {
    kind: 'bls',
    kernel,
    initrds,
    options: cmdline,
    ...(kernelVersion ? { kernelVersion } : {}),
    ...(values.title ? { title: values.title } : {}),
    ...(osRelease ? { osRelease } : {}),
  };
}
