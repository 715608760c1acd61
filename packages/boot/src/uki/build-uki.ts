import { bytesSource, concatSources, toByteSource, type ByteInput, type ByteSource } from '../bytes/byte-source';
import { PeFormatError, PeLayoutError, SignedPeError } from '../errors/index';
import { IMAGE_SCN_CNT_CODE, IMAGE_SCN_CNT_INITIALIZED_DATA, IMAGE_SCN_MEM_READ } from '../pe/pe-constants';
import { layoutPe, type FixedSection, type PeLayout, type PlacedSection } from '../pe/layout-pe';
import { readPe } from '../pe/read-pe';
import type { PeHeaders } from '../pe/pe-types';
import { readKernelUname } from './kernel-uname';
import { readSectionText } from './read-uki';
import { mergeSbat, SBAT_HEADER_LINE, SBAT_UKI_LINE } from './sbat';
import { isUkiSectionName } from './uki-sections';

/** Characteristics of UKI resource sections (ukify: readable initialized data). */
export const UKI_DATA_CHARACTERISTICS = IMAGE_SCN_MEM_READ | IMAGE_SCN_CNT_INITIALIZED_DATA;
/** `.linux` is marked as code so that EFI-handover kernels may run in place (ukify does the same). */
export const UKI_LINUX_CHARACTERISTICS = IMAGE_SCN_MEM_READ | IMAGE_SCN_CNT_CODE;
/** initrds are concatenated with each one padded to this many bytes (ukify `join_initrds`). */
export const INITRD_ALIGNMENT = 4;

/** Content of a text or binary section. */
export type SectionInput = ByteInput | string;

/** What {@link buildUki} assembles. */
export interface BuildUkiInput {
  /** An unsigned systemd-stub, e.g. `/usr/lib/systemd/boot/efi/linuxx64.efi.stub`. */
  stub: ByteInput;
  /** The kernel (an EFI-stub PE bzImage on x86). */
  linux: ByteInput;
  /** initrds, concatenated in order into `.initrd`. */
  initrds?: readonly ByteInput[];
  /** `.cmdline` text, written as given (no NUL or newline added). */
  cmdline?: string;
  /** `.osrel`: the image's os-release. */
  osRelease?: SectionInput;
  /** `.uname`; undefined = read from the bzImage header when possible; null = no `.uname`. */
  uname?: string | null;
  devicetree?: ByteInput;
  splash?: ByteInput;
  pcrpkey?: SectionInput;
  microcode?: ByteInput;
  /** Further sections (e.g. `.pcrsig`, `.sbom`), added before `.linux` like ukify's `--section`. */
  sections?: readonly { name: string; content: SectionInput }[];
  /**
   * `.sbat`: `stub` keeps the stub's section untouched (default); `merge`
   * writes ukify's merge of the stub's, the kernel's and `sbatLines` into the
   * stub's slot (or a new section), failing if it does not fit.
   */
  sbat?: 'stub' | 'merge';
  /** Extra SBAT text for `merge` (default: the `uki,1,UKI,…` line ukify adds). */
  sbatLines?: string;
  /**
   * Extra profiles (multi-profile UKI, like `ukify --join-profile`): each adds
   * a `.profile` section (`ID=…`/`TITLE=…` text) followed by its own sections,
   * after all base sections.
   */
  profiles?: readonly UkiProfileInput[];
  /** VA alignment of the added sections (default: the stub's SectionAlignment, as ukify). */
  sectionAlignment?: number;
  /** Names used in errors. */
  subject?: { stub?: string; linux?: string; output?: string };
}

/** One profile of a multi-profile UKI to build. */
export interface UkiProfileInput {
  /** `.profile` content, e.g. `ID=rescue\nTITLE=Rescue shell\n`. */
  profile: string;
  /** Sections overriding the base ones for this profile (`.cmdline`, `.initrd`, ...). */
  sections?: readonly { name: string; content: SectionInput }[];
}

/** Sections a profile may override (ukify's `--join-profile` import list). */
export const UKI_PROFILE_SECTIONS: ReadonlySet<string> = new Set([
  '.linux',
  '.osrel',
  '.cmdline',
  '.initrd',
  '.ucode',
  '.splash',
  '.dtb',
  '.uname',
  '.sbat',
]);

/** A built UKI: a source to stream or read back, plus its section table. */
export type BuiltUki = PeLayout;

/**
 * Builds a UKI the way ukify lays one out (boot-specs.md §3): the stub's
 * sections stay in place, `.osrel .cmdline .dtb .uname .splash .pcrpkey
 * .initrd .ucode <extra> .linux` follow in that order, each at the next
 * SectionAlignment boundary in memory and FileAlignment boundary in the file;
 * `.linux` gets the kernel's SizeOfImage as VirtualSize. A signed stub is
 * refused. Nothing is read into memory beyond headers and small sections.
 */
export async function buildUki(input: BuildUkiInput): Promise<BuiltUki> {
  const names = { stub: input.subject?.stub ?? 'stub', linux: input.subject?.linux ?? 'kernel', output: input.subject?.output ?? 'UKI' };
  const stubSource = toByteSource(input.stub);
  const stub = await readPe(stubSource, { subject: names.stub });
  if (stub.certificateTable)
    throw new SignedPeError({
      subject: names.stub,
      operation: 'add UKI sections to it',
      hint: 'use the unsigned stub from systemd-boot-efi; sign the finished UKI instead',
    });
  if (stub.sections.some((s) => s.name === '.linux'))
    throw new PeLayoutError({
      subject: names.stub,
      section: '.linux',
      message: 'is already a UKI (has .linux); pass the plain systemd stub',
    });

  const linux = toByteSource(input.linux);
  const kernel = await readKernelPe(linux, names.linux);
  if (kernel && kernel.machine !== stub.machine) {
    throw new PeLayoutError({
      subject: names.output,
      section: '.linux',
      message: `kernel machine 0x${kernel.machine.toString(16)} does not match the stub's 0x${stub.machine.toString(16)}`,
    });
  }
  const uname = input.uname === undefined ? await readKernelUname(linux) : (input.uname ?? undefined);

  const placed: PlacedSection[] = [];
  const add = (name: string, content: SectionInput | undefined, characteristics = UKI_DATA_CHARACTERISTICS, virtualSize?: number) => {
    if (content === undefined) return;
    placed.push({ kind: 'placed', name, characteristics, content: sectionSource(content), virtualSize });
  };
  add('.osrel', input.osRelease);
  add('.cmdline', input.cmdline);
  add('.dtb', input.devicetree);
  add('.uname', uname);
  add('.splash', input.splash);
  add('.pcrpkey', input.pcrpkey);
  if (input.initrds && input.initrds.length > 0) add('.initrd', joinInitrds(input.initrds));
  add('.ucode', input.microcode);
  for (const extra of input.sections ?? []) {
    if (
      ['.linux', '.sbat'].includes(extra.name) ||
      placed.some((p) => p.name === extra.name && extra.name !== '.dtbauto' && extra.name !== '.efifw')
    ) {
      throw new PeLayoutError({
        subject: names.output,
        section: extra.name,
        message: 'is given twice or cannot be passed as an extra section',
      });
    }
    add(extra.name, extra.content);
  }
  add('.linux', linux, UKI_LINUX_CHARACTERISTICS, kernel ? Math.max(kernel.sizeOfImage, linux.size) : undefined);

  const fixed: FixedSection[] = stub.sections.map((original) => ({ kind: 'fixed', original }));
  if (input.sbat === 'merge') {
    const texts: string[] = [];
    const stubSbat = stub.sections.find((s) => s.name === '.sbat');
    if (stubSbat) texts.push(await readSectionText(stubSource, stub, stubSbat));
    const kernelSbat = kernel?.sections.find((s) => s.name === '.sbat');
    if (kernel && kernelSbat) texts.push(await readSectionText(linux, kernel, kernelSbat));
    texts.push(input.sbatLines ?? `${SBAT_HEADER_LINE}\n${SBAT_UKI_LINE}\n`);
    const merged = sectionSource(mergeSbat(texts));
    if (stubSbat) fixed[stubSbat.index] = { kind: 'fixed', original: stubSbat, content: merged };
    else placed.push({ kind: 'placed', name: '.sbat', characteristics: UKI_DATA_CHARACTERISTICS, content: merged });
  }
  for (const [i, profile] of (input.profiles ?? []).entries()) {
    add('.profile', profile.profile);
    const seen = new Set<string>();
    for (const section of profile.sections ?? []) {
      if (!UKI_PROFILE_SECTIONS.has(section.name) || seen.has(section.name)) {
        throw new PeLayoutError({
          subject: names.output,
          section: section.name,
          message: `cannot be part of profile @${i} (duplicate, or not one of ${[...UKI_PROFILE_SECTIONS].join(' ')})`,
        });
      }
      seen.add(section.name);
      add(section.name, section.content);
    }
  }
  for (const p of placed) {
    if (!isUkiSectionName(p.name) && !/^\.[a-z0-9_]{1,7}$/.test(p.name)) {
      throw new PeLayoutError({
        subject: names.output,
        section: p.name,
        message: 'is not a valid section name (".name", at most 8 characters)',
      });
    }
  }
  return layoutPe(stub, stubSource, [...fixed, ...placed], { subject: names.output, sectionAlignment: input.sectionAlignment });
}

/** The kernel's PE headers, or undefined when it is not a PE (ukify then uses the file size). */
async function readKernelPe(linux: ByteSource, subject: string): Promise<PeHeaders | undefined> {
  try {
    return await readPe(linux, { subject });
  } catch (error) {
    if (PeFormatError.isInstance(error)) return undefined;
    throw error;
  }
}

/** Turns text into UTF-8 bytes and anything else into a source. */
export function sectionSource(content: SectionInput): ByteSource {
  return typeof content === 'string' ? bytesSource(new TextEncoder().encode(content)) : toByteSource(content);
}

/** Concatenates initrds, padding each to 4 bytes when there are several (ukify `join_initrds`). */
export function joinInitrds(initrds: readonly ByteInput[]): ByteSource {
  const sources = initrds.map(toByteSource);
  if (sources.length === 1) return sources[0]!;
  const parts: ByteSource[] = [];
  for (const s of sources) {
    parts.push(s);
    const pad = (INITRD_ALIGNMENT - (s.size % INITRD_ALIGNMENT)) % INITRD_ALIGNMENT;
    if (pad > 0) parts.push(bytesSource(new Uint8Array(pad)));
  }
  return concatSources(parts);
}
