import { sliceSource, type ByteInput } from '../bytes/byte-source';
import { setComposefsArgs, type ComposefsArgSpec } from '../cmdline/composefs-arg';
import { PeLayoutError, SignedPeError } from '../errors/index';
import { DIRECTORY_SECURITY } from '../pe/pe-constants';
import { layoutPe, type FixedSection, type PeLayout, type PlacedSection } from '../pe/layout-pe';
import type { PeSection } from '../pe/pe-types';
import { UKI_DATA_CHARACTERISTICS, sectionSource } from './build-uki';
import { readSectionText, readUki, type Uki } from './read-uki';
import { isUkiSectionName } from './uki-sections';

/**
 * How to change a command line: a new text, or a function of the current one
 * (undefined when there is no `.cmdline`) and of the profile it belongs to
 * (undefined for the base `.cmdline`).
 */
export type CmdlineEdit = string | ((current: string | undefined, profile: number | undefined) => string);

/** Result of {@link editUkiCmdline}. */
export interface EditedUki extends PeLayout {
  /** False when every command line already had the requested text (then `source` is the input, unchanged). */
  readonly changed: boolean;
}

/** Options of {@link editUkiCmdline}. */
export interface EditUkiCmdlineOptions {
  /** Name used in errors (default `UKI`). */
  subject?: string;
}

/**
 * Rewrites the `.cmdline` of an unsigned UKI. Every `.cmdline` (the base one
 * and each profile's own) is passed through `edit`; without any, one is
 * inserted into the base (after `.osrel`, before the first profile). Sections
 * before the first changed one stay byte-identical in place; the later ones
 * (UKI resource sections only) are laid out again after it, ukify-style.
 * A signed UKI is refused with `SignedPeError`.
 */
export async function editUkiCmdline(input: ByteInput, edit: CmdlineEdit, options: EditUkiCmdlineOptions = {}): Promise<EditedUki> {
  const subject = options.subject ?? 'UKI';
  const uki = await readUki(input, { subject });
  if (uki.signed) throw new SignedPeError({ subject, operation: 'rewrite its .cmdline' });
  const apply = typeof edit === 'string' ? () => edit : edit;

  const sections = [...uki.pe.sections];
  const profileOf = (s: PeSection) => uki.profiles.find((p) => p.sections.includes(s))?.index;
  const replaced = new Map<number, string>();
  let unchanged = true;
  for (const s of sections.filter((x) => x.name === '.cmdline')) {
    const current = await readSectionText(uki.source, uki.pe, s);
    const next = apply(current, profileOf(s));
    replaced.set(s.index, next);
    if (next !== current || s.dataSize !== new TextEncoder().encode(next).length) unchanged = false;
  }
  let insertAt: number | undefined;
  if (replaced.size === 0) {
    insertAt = insertionIndex(uki);
    unchanged = false;
  }
  if (unchanged) return { source: uki.source, sections: uki.pe.sections, sizeOfImage: uki.pe.sizeOfImage, changed: false };

  const firstMoved = insertAt ?? Math.min(...replaced.keys());
  const plan: (FixedSection | PlacedSection)[] = sections.slice(0, firstMoved).map((original) => ({ kind: 'fixed', original }));
  if (insertAt !== undefined)
    plan.push({
      kind: 'placed',
      name: '.cmdline',
      characteristics: UKI_DATA_CHARACTERISTICS,
      content: sectionSource(apply(undefined, undefined)),
    });
  for (const s of sections.slice(firstMoved)) {
    if (!isUkiSectionName(s.name)) {
      throw new PeLayoutError({
        subject,
        section: s.name,
        message: 'follows .cmdline but is not a UKI resource section, so it cannot be moved',
        hint: 'build the UKI again from its parts instead',
      });
    }
    const text = replaced.get(s.index);
    plan.push({
      kind: 'placed',
      name: s.name,
      characteristics: s.characteristics,
      content: text !== undefined ? sectionSource(text) : sliceSource(uki.source, s.pointerToRawData, s.dataSize),
      virtualSize: text !== undefined ? undefined : s.virtualSize || s.dataSize,
    });
  }
  checkDirectories(uki, sections.slice(firstMoved), subject);
  return { ...layoutPe(uki.pe, uki.source, plan, { subject }), changed: true };
}

/** Where a missing `.cmdline` goes: after `.osrel`, else before the first resource section or profile. */
function insertionIndex(uki: Uki): number {
  const osrel = uki.base.find((s) => s.name === '.osrel');
  if (osrel) return osrel.index + 1;
  const firstResource = uki.pe.sections.find((s) => isUkiSectionName(s.name) && s.name !== '.sbat');
  return firstResource ? firstResource.index : uki.pe.sections.length;
}

/** Data directories (relocations, debug, ...) must not point into sections that move. */
function checkDirectories(uki: Uki, moved: readonly PeSection[], subject: string): void {
  uki.pe.dataDirectories.forEach((dir, i) => {
    if (i === DIRECTORY_SECURITY || dir.size === 0) return;
    const hit = moved.find(
      (s) => dir.offset >= s.virtualAddress && dir.offset < s.virtualAddress + Math.max(s.virtualSize, s.sizeOfRawData),
    );
    if (hit) throw new PeLayoutError({ subject, section: hit.name, message: `data directory ${i} points into it, so it cannot be moved` });
  });
}

/**
 * Sets the composefs digest(s) on every command line of an unsigned UKI,
 * replacing existing composefs arguments and keeping all others.
 */
export function setUkiComposefsDigest(
  input: ByteInput,
  digests: ComposefsArgSpec | readonly ComposefsArgSpec[],
  options: EditUkiCmdlineOptions = {},
): Promise<EditedUki> {
  return editUkiCmdline(input, (current) => setComposefsArgs(current ?? '', digests), options);
}
