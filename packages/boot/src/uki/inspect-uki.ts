import { toByteSource, type ByteInput } from '../bytes/byte-source';
import { findComposefsArgs, type ComposefsDigestArg } from '../cmdline/composefs-arg';
import { ComposefsArgError } from '../errors/index';
import { parseOsRelease, type OsRelease } from '../os-release/env-file';
import { readUki, readUkiText, ukiCmdlines } from './read-uki';

/** One section in {@link UkiSummary}. */
export interface UkiSectionSummary {
  readonly name: string;
  readonly virtualAddress: number;
  readonly virtualSize: number;
  readonly pointerToRawData: number;
  readonly sizeOfRawData: number;
  /** Content length as read (VirtualSize bounded by the raw data). */
  readonly size: number;
  readonly characteristics: number;
  /** `@N` of the profile it belongs to; undefined for base sections. */
  readonly profile: number | undefined;
}

/** A JSON-ready description of a UKI (what `metalayer inspect UKI --json` shows). */
export interface UkiSummary {
  readonly size: number;
  readonly machine: number;
  readonly signed: boolean;
  /** True when the PE has a `.linux` section (else it is an addon or another EFI program). */
  readonly isUki: boolean;
  readonly sections: readonly UkiSectionSummary[];
  readonly profiles: readonly { readonly index: number; readonly id: string | undefined; readonly title: string | undefined }[];
  /** The command line per bootable profile (one entry, profile undefined, for a single-profile UKI). */
  readonly cmdlines: readonly {
    readonly profile: number | undefined;
    readonly cmdline: string | undefined;
    readonly composefs: readonly ComposefsDigestArg[];
    /** Set when a composefs argument is malformed. */
    readonly composefsError?: string;
  }[];
  readonly osRelease: OsRelease | undefined;
  readonly uname: string | undefined;
}

/** Describes a UKI: sections, profiles, command lines with their composefs digests, `.osrel`, `.uname`. */
export async function inspectUki(input: ByteInput, options: { subject?: string } = {}): Promise<UkiSummary> {
  const source = toByteSource(input);
  const uki = await readUki(source, options);
  const profileOf = new Map<number, number>();
  for (const p of uki.profiles) for (const s of p.sections) profileOf.set(s.index, p.index);
  const osrel = await readUkiText(uki, '.osrel');
  return {
    size: source.size,
    machine: uki.pe.machine,
    signed: uki.signed,
    isUki: uki.pe.sections.some((s) => s.name === '.linux'),
    sections: uki.pe.sections.map((s) => ({
      name: s.name,
      virtualAddress: s.virtualAddress,
      virtualSize: s.virtualSize,
      pointerToRawData: s.pointerToRawData,
      sizeOfRawData: s.sizeOfRawData,
      size: s.dataSize,
      characteristics: s.characteristics,
      profile: profileOf.get(s.index),
    })),
    profiles: uki.profiles.map((p) => ({ index: p.index, id: p.id, title: p.title })),
    cmdlines: (await ukiCmdlines(uki)).map((c) => {
      try {
        return { profile: c.profile, cmdline: c.cmdline, composefs: c.cmdline === undefined ? [] : findComposefsArgs(c.cmdline) };
      } catch (error) {
        if (!ComposefsArgError.isInstance(error)) throw error;
        return { profile: c.profile, cmdline: c.cmdline, composefs: [], composefsError: error.message };
      }
    }),
    osRelease: osrel === undefined ? undefined : parseOsRelease(osrel),
    uname: (await readUkiText(uki, '.uname'))?.trim(),
  };
}
