// SBAT (shim's "Secure Boot Advanced Targeting", rhboot/shim SBAT.md): a CSV
// section whose first line names the SBAT format. ukify merges the stub's, the
// kernel's and its own lines into one `.sbat` (boot-specs.md §3).

/** The mandatory first line of every `.sbat`. */
export const SBAT_HEADER_LINE = 'sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md';
/** The line ukify adds for the UKI itself. */
export const SBAT_UKI_LINE = 'uki,1,UKI,uki,1,https://uapi-group.org/specifications/specs/unified_kernel_image/';

/** The component lines of an SBAT text (header and blank lines dropped); empty when it is not SBAT. */
export function sbatComponents(text: string): string[] {
  const lines = text
    .replace(/\0+$/, '')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  if (!lines[0]?.startsWith('sbat,')) return [];
  return lines.slice(1);
}

/**
 * Merges SBAT texts as ukify does: one header line, then every component
 * line in order (duplicates dropped), newline-terminated, plus a NUL.
 */
export function mergeSbat(texts: readonly string[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const text of texts) {
    for (const line of sbatComponents(text)) {
      if (!seen.has(line)) {
        seen.add(line);
        lines.push(line);
      }
    }
  }
  return `${SBAT_HEADER_LINE}\n${lines.join('\n')}\n\0`;
}
