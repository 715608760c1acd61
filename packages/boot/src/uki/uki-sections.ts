// UKI section names (UAPI.5 "Unified Kernel Image"; boot-specs.md §2.1).

/** Resource sections a UKI (or a UKI profile) may carry. */
export const UKI_SECTION_NAMES = [
  '.linux',
  '.osrel',
  '.cmdline',
  '.initrd',
  '.ucode',
  '.splash',
  '.dtb',
  '.dtbauto',
  '.efifw',
  '.hwids',
  '.uname',
  '.sbat',
  '.pcrsig',
  '.pcrpkey',
  '.profile',
  '.sbom',
] as const;

/** One of {@link UKI_SECTION_NAMES}. */
export type UkiSectionName = (typeof UKI_SECTION_NAMES)[number];

/** Sections holding text (trailing NULs trimmed when read). */
export const UKI_TEXT_SECTIONS: ReadonlySet<string> = new Set(['.cmdline', '.osrel', '.uname', '.sbat', '.pcrsig', '.pcrpkey', '.profile']);

/** Whether a section name is a UKI resource section (as opposed to stub code/data). */
export function isUkiSectionName(name: string): name is UkiSectionName {
  return (UKI_SECTION_NAMES as readonly string[]).includes(name);
}

/** A PE section name must fit the 8-byte header field; the stub does not read string-table names. */
export const MAX_SECTION_NAME_LENGTH = 8;

/** Largest text section read into memory (`.cmdline`, `.osrel`, ...). */
export const MAX_TEXT_SECTION_SIZE = 1024 * 1024;
