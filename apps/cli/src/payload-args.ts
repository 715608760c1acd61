import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InvalidArgumentError, type BootPayload, type ImageLocation, type PayloadFile, type StrategyContext } from '@metalayer/core';
import { buildUki, readAllBytes, readKernelUname, readUki, readUkiText } from '@metalayer/boot';
import { lazyFileSource, writeSourceFile } from '@metalayer/boot/node';
import { resolveImage } from '@metalayer/oci';
import { readImageFiles } from '@metalayer/strategy-kit';
import type { OptionSpecs } from './command';

/** The flags that describe a boot payload (`attach`, `compare`). */
export const payloadOptions = {
  uki: { type: 'string', valueName: 'FILE', description: 'A Unified Kernel Image (unsigned: its .cmdline is rewritten).' },
  kernel: { type: 'string', valueName: 'FILE', description: 'A kernel image (BLS type #1 payload, or a UKI with --stub).' },
  initrd: { type: 'string', valueName: 'FILE', multiple: true, description: 'An initrd, in boot order.' },
  'from-image': { type: 'boolean', description: 'Take the kernel from the image: /usr/lib/modules/<kver>/{vmlinuz,initramfs.img}.' },
  cmdline: { type: 'string', valueName: 'ARGS', description: 'Kernel command line besides the composefs argument (default: empty).' },
  stub: {
    type: 'string',
    valueName: 'FILE',
    description: 'systemd-stub to build a UKI from the kernel and initrds (e.g. /usr/lib/systemd/boot/efi/linuxx64.efi.stub).',
  },
  'os-release': {
    type: 'string',
    valueName: 'FILE',
    description: "os-release for the UKI's .osrel or the BLS entry (default: the image's).",
  },
  'kernel-version': {
    type: 'string',
    valueName: 'KVER',
    description: 'Kernel version (default: from the UKI .uname or the bzImage header).',
  },
  title: { type: 'string', valueName: 'TEXT', description: 'BLS entry title (default: PRETTY_NAME of the os-release).' },
} as const satisfies OptionSpecs;

/** Values of {@link payloadOptions}. */
export interface PayloadOptionValues {
  uki?: string;
  kernel?: string;
  initrd?: string[];
  'from-image'?: boolean;
  cmdline?: string;
  stub?: string;
  'os-release'?: string;
  'kernel-version'?: string;
  title?: string;
}

const MODULES_FILE = /^usr\/lib\/modules\/([^/]+)\/(vmlinuz|initramfs\.img)$/;
const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'];

async function fileArg(path: string, name = basename(path)): Promise<PayloadFile> {
  return { name, data: await lazyFileSource(path) };
}

const text = async (file: PayloadFile) => new TextDecoder().decode(await readAllBytes(file.data));

/** The kernel, initrd and os-release an image ships (`--from-image`), and the image's os-release alone otherwise. */
async function imageFiles(ctx: StrategyContext, image: ImageLocation, kernels: boolean) {
  const resolved = await resolveImage(image.store, image.reference, ctx.signal ? { signal: ctx.signal } : {});
  const files = await readImageFiles(ctx, image.store, resolved, (p) => OS_RELEASE_PATHS.includes(p) || (kernels && MODULES_FILE.test(p)));
  const osFile = OS_RELEASE_PATHS.map((p) => files.get(p)).find(Boolean);
  return { files, osRelease: osFile ? await text(osFile) : undefined };
}

function pickKernelVersion(files: Map<string, PayloadFile>, wanted: string | undefined, image: string): string {
  const versions = [
    ...new Set(
      [...files.keys()]
        .map((p) => MODULES_FILE.exec(p))
        .filter((m) => m?.[2] === 'vmlinuz')
        .map((m) => m![1]!),
    ),
  ];
  if (wanted) {
    if (!versions.includes(wanted)) {
      throw new InvalidArgumentError({
        argument: '--kernel-version',
        value: wanted,
        message: `${image} has no /usr/lib/modules/${wanted}/vmlinuz`,
        hint: `kernels in the image: ${versions.join(', ') || 'none'}`,
      });
    }
    return wanted;
  }
  if (versions.length !== 1) {
    throw new InvalidArgumentError({
      argument: '--from-image',
      message: versions.length
        ? `${image} ships ${versions.length} kernels: ${versions.join(', ')}`
        : `${image} has no /usr/lib/modules/<kver>/vmlinuz`,
      ...(versions.length ? { hint: 'pick one with --kernel-version' } : {}),
    });
  }
  return versions[0]!;
}

/**
 * The payload the flags describe: `--uki FILE`; or a kernel (`--kernel F` or
 * `--from-image`) with initrds and `--cmdline` as a BLS set, or assembled
 * with `--stub F` into a UKI (written under `ctx.tempDir`). A BLS set, or a
 * UKI built here, takes the image's os-release unless `--os-release` names one.
 */
export async function payloadFromArgs(
  values: PayloadOptionValues,
  ctx: StrategyContext,
  image: ImageLocation & { label: string },
): Promise<BootPayload> {
  const sources = [values.uki && '--uki', values.kernel && '--kernel', values['from-image'] && '--from-image'].filter(Boolean);
  if (sources.length > 1) {
    throw new InvalidArgumentError({
      argument: String(sources[0]),
      message: `${sources.join(' and ')} are alternatives`,
      hint: 'give a UKI, a kernel with its initrds, or --from-image',
    });
  }
  if (values.uki) {
    for (const flag of ['initrd', 'stub', 'cmdline', 'os-release', 'title'] as const) {
      if (values[flag] !== undefined)
        throw new InvalidArgumentError({ argument: `--${flag}`, message: `--${flag} does not apply to --uki (the UKI carries its own)` });
    }
    const uki = await fileArg(values.uki);
    const kernelVersion =
      values['kernel-version'] ?? (await readUkiText(await readUki(uki.data, { subject: values.uki }), '.uname'))?.trim();
    return { kind: 'uki', uki, ...(kernelVersion ? { kernelVersion } : {}) };
  }
  if (!values.kernel && !values['from-image']) {
    throw new InvalidArgumentError({
      argument: '--uki',
      message:
        'no payload: give --uki FILE, --kernel FILE [--initrd FILE]…, or --from-image (with --cmdline ARGS and optionally --stub FILE)',
    });
  }
  const found = await imageFiles(ctx, image, Boolean(values['from-image']));
  const osRelease = values['os-release'] ? await readFile(values['os-release'], 'utf8') : found.osRelease;
  let kernel: PayloadFile;
  let initrds: PayloadFile[];
  let kernelVersion: string | undefined;
  if (values['from-image']) {
    if (values.initrd)
      throw new InvalidArgumentError({
        argument: '--initrd',
        message: "--initrd does not apply to --from-image (the image's initramfs.img is used)",
      });
    kernelVersion = pickKernelVersion(found.files, values['kernel-version'], image.label);
    kernel = { ...found.files.get(`usr/lib/modules/${kernelVersion}/vmlinuz`)!, name: 'linux' };
    const initrd = found.files.get(`usr/lib/modules/${kernelVersion}/initramfs.img`);
    if (!initrd)
      throw new InvalidArgumentError({
        argument: '--from-image',
        message: `${image.label} has /usr/lib/modules/${kernelVersion}/vmlinuz but no initramfs.img next to it`,
      });
    initrds = [{ ...initrd, name: 'initrd' }];
  } else {
    kernel = await fileArg(values.kernel!, 'linux');
    initrds = await Promise.all((values.initrd ?? []).map((p) => fileArg(p)));
    kernelVersion = values['kernel-version'] ?? (await readKernelUname(kernel.data));
  }
  const cmdline = values.cmdline ?? '';
  if (values.stub) {
    const built = await buildUki({
      stub: await lazyFileSource(values.stub),
      linux: kernel.data,
      initrds: initrds.map((i) => i.data),
      cmdline,
      ...(osRelease ? { osRelease } : {}),
      ...(kernelVersion ? { uname: kernelVersion } : {}),
      subject: { stub: values.stub, linux: values.kernel ?? 'the image kernel' },
    });
    const name = `${kernelVersion ?? 'linux'}.efi`;
    const path = join(ctx.tempDir, `built-${name}`);
    await writeSourceFile(path, built.source);
    return { kind: 'uki', uki: await fileArg(path, name), ...(kernelVersion ? { kernelVersion } : {}) };
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
