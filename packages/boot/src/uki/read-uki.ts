import { LimitExceededError } from '@metalayer/core';
import { toByteSource, type ByteInput, type ByteSource } from '../bytes/byte-source';
import { PeFormatError } from '../errors/index';
import { parseEnvFile } from '../os-release/env-file';
import { readPe } from '../pe/read-pe';
import type { PeHeaders, PeSection } from '../pe/pe-types';
import { MAX_TEXT_SECTION_SIZE } from './uki-sections';

/** One profile of a multi-profile UKI (sections from one `.profile` to the next). */
export interface UkiProfile {
  /** `@N` number: 0 for the first `.profile`. */
  readonly index: number;
  /** `ID=` from the `.profile` section, when set. */
  readonly id: string | undefined;
  /** `TITLE=` from the `.profile` section, when set. */
  readonly title: string | undefined;
  /** The `.profile` section and every section up to the next one. */
  readonly sections: readonly PeSection[];
}

/** A UKI (or any PE) opened for reading. */
export interface Uki {
  readonly source: ByteSource;
  readonly pe: PeHeaders;
  /** An Authenticode signature (certificate table) is present. */
  readonly signed: boolean;
  /** Sections before the first `.profile` (all of them in a single-profile UKI). */
  readonly base: readonly PeSection[];
  /** Profiles in order; empty for a single-profile UKI. */
  readonly profiles: readonly UkiProfile[];
}

/** Options of {@link readUki}. */
export interface ReadUkiOptions {
  /** Name used in error messages (default `UKI`). */
  subject?: string;
}

/**
 * Opens a UKI: parses the PE headers, splits sections into the base and the
 * `.profile` groups, and reads each `.profile`'s `ID=`/`TITLE=`.
 */
export async function readUki(input: ByteInput, options: ReadUkiOptions = {}): Promise<Uki> {
  const source = toByteSource(input);
  const pe = await readPe(source, { subject: options.subject ?? 'UKI' });
  const base: PeSection[] = [];
  const groups: PeSection[][] = [];
  for (const section of pe.sections) {
    if (section.name === '.profile') groups.push([section]);
    else if (groups.length > 0) groups[groups.length - 1]!.push(section);
    else base.push(section);
  }
  const profiles: UkiProfile[] = [];
  for (const [index, sections] of groups.entries()) {
    const meta = parseEnvFile(await readSectionText(source, pe, sections[0]!));
    profiles.push({ index, id: meta.get('ID'), title: meta.get('TITLE'), sections });
  }
  return { source, pe, signed: pe.certificateTable !== undefined, base, profiles };
}

/**
 * The section `name` that applies to a profile: the profile's own, else the
 * base one. Without `profile` (or in a single-profile UKI) the base section.
 */
export function ukiSection(uki: Uki, name: string, profile?: number): PeSection | undefined {
  if (profile !== undefined) {
    const p = uki.profiles[profile];
    const own = p?.sections.find((s) => s.name === name);
    if (own) return own;
  }
  return uki.base.find((s) => s.name === name);
}

/** Reads a section's content (VirtualSize bounded by the raw data) into memory, refusing sections above `limit`. */
export async function readSectionBytes(
  source: ByteSource,
  pe: PeHeaders,
  section: PeSection,
  limit = MAX_TEXT_SECTION_SIZE,
): Promise<Uint8Array> {
  if (section.dataSize > limit) {
    throw new LimitExceededError({
      limit: 'MAX_TEXT_SECTION_SIZE',
      maximum: limit,
      actual: section.dataSize,
      subject: `${pe.subject}: section ${section.name}`,
    });
  }
  return source.read(section.pointerToRawData, section.dataSize);
}

/** Reads a text section as UTF-8, without trailing NULs. */
export async function readSectionText(source: ByteSource, pe: PeHeaders, section: PeSection): Promise<string> {
  const bytes = await readSectionBytes(source, pe, section);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
  } catch (cause) {
    throw new PeFormatError({
      subject: pe.subject,
      field: `section ${section.name}`,
      offset: section.pointerToRawData,
      message: 'is not valid UTF-8 text',
      cause,
    });
  }
}

/** The effective text of section `name` for a profile (see {@link ukiSection}), or undefined. */
export async function readUkiText(uki: Uki, name: string, profile?: number): Promise<string | undefined> {
  const section = ukiSection(uki, name, profile);
  return section ? readSectionText(uki.source, uki.pe, section) : undefined;
}

/** A command line a UKI can boot with: per profile, or the base one for a single-profile UKI. */
export interface UkiCmdline {
  /** Profile number, or undefined for a single-profile UKI. */
  readonly profile: number | undefined;
  /** The `.cmdline` text (trailing NULs removed), or undefined when no `.cmdline` applies. */
  readonly cmdline: string | undefined;
}

/**
 * Every command line the UKI can boot with. In a multi-profile UKI each
 * profile's own `.cmdline` overrides the base one; only profiles can be
 * booted (the stub always selects one, `@0` by default).
 */
export async function ukiCmdlines(uki: Uki): Promise<UkiCmdline[]> {
  if (uki.profiles.length === 0) return [{ profile: undefined, cmdline: await readUkiText(uki, '.cmdline') }];
  const out: UkiCmdline[] = [];
  for (const p of uki.profiles) out.push({ profile: p.index, cmdline: await readUkiText(uki, '.cmdline', p.index) });
  return out;
}
