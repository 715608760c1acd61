import { InvalidArgumentError } from '@metalayer/core';
import { sliceSource, type ByteSource } from '../../bytes/byte-source';
import { PeFormatError } from '../../errors/index';
import type { CmdlineToCheck } from '../../cmdline/check-composefs-digest';
import { osReleaseName, parseOsRelease, type OsRelease } from '../../os-release/env-file';
import { readKernelUname } from '../../uki/kernel-uname';
import { readUki, readUkiText, ukiCmdlines, ukiSection } from '../../uki/read-uki';

/** What install-kernel needs to know about a payload before placing it. */
export interface PayloadFacts {
  readonly kernelVersion: string;
  readonly cmdlines: readonly CmdlineToCheck[];
  readonly profiles: readonly (number | undefined)[];
  /** The image's os-release, when the payload carries one. */
  readonly osRelease: OsRelease | undefined;
  readonly title: string | undefined;
}

/** Reads a UKI payload: its command lines (per profile), kernel version and `.osrel`. */
export async function describeUkiPayload(source: ByteSource, kernelVersion: string | undefined): Promise<PayloadFacts> {
  const uki = await readUki(source, { subject: 'UKI payload' });
  const linux = ukiSection(uki, '.linux') ?? uki.profiles.flatMap((p) => p.sections).find((s) => s.name === '.linux');
  if (!linux)
    throw new PeFormatError({
      subject: 'UKI payload',
      field: '.linux',
      message: 'section missing: this PE is not a UKI (an addon or a plain EFI program?)',
    });
  const cmdlines = await ukiCmdlines(uki);
  const osrelText = await readUkiText(uki, '.osrel');
  const osRelease = osrelText === undefined ? undefined : parseOsRelease(osrelText);
  const version =
    kernelVersion ??
    (await readUkiText(uki, '.uname'))?.trim() ??
    (await readKernelUname(sliceSource(uki.source, linux.pointerToRawData, linux.dataSize)));
  return {
    kernelVersion: requireVersion(version),
    cmdlines: cmdlines.map((c) => ({
      subject: `UKI .cmdline${c.profile === undefined ? '' : ` (profile @${c.profile})`}`,
      cmdline: c.cmdline?.trim(),
    })),
    profiles: cmdlines.map((c) => c.profile),
    osRelease,
    title: osRelease && osReleaseName(osRelease),
  };
}

/** Reads a kernel + options payload. */
export async function describeBlsPayload(
  kernel: ByteSource,
  options: { kernelVersion?: string; cmdline: string; osRelease?: string; title?: string },
): Promise<PayloadFacts> {
  const osRelease = options.osRelease === undefined ? undefined : parseOsRelease(options.osRelease);
  return {
    kernelVersion: requireVersion(options.kernelVersion ?? (await readKernelUname(kernel))),
    cmdlines: [{ subject: 'BLS options', cmdline: options.cmdline }],
    profiles: [undefined],
    osRelease,
    title: options.title,
  };
}

function requireVersion(version: string | undefined): string {
  if (version === undefined || version.length === 0) {
    throw new InvalidArgumentError({
      argument: 'kernelVersion',
      message: 'cannot tell the kernel version: the payload has no .uname and no x86 bzImage version string',
      hint: 'pass the kernel version explicitly',
    });
  }
  return version;
}
