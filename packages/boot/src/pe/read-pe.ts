import { LimitExceededError } from '@metalayer/core';
import { toByteSource, type ByteInput } from '../bytes/byte-source';
import { PeFormatError } from '../errors/index';
import { COFF_SYMBOL_SIZE, MAX_LONG_SECTION_NAME, MAX_PE_HEADERS_SIZE } from './pe-constants';
import { parsePeHeaders } from './parse-pe-headers';
import type { FileRange, PeHeaders, PeSection } from './pe-types';

/** Size of the u32 that starts the COFF string table (it counts itself). */
const STRING_TABLE_LENGTH_SIZE = 4;

/** Options of {@link readPe}. */
export interface ReadPeOptions {
  /** Name used in error messages (default `PE image`). */
  subject?: string;
}

/**
 * Reads the headers of a PE/COFF image (a UKI, the systemd stub, an EFI-stub
 * kernel). Only the first kilobytes and, when present, the COFF string table
 * are read; section contents stay in the source.
 *
 * Malformed input throws `PeFormatError` or core's `LimitExceededError`, never
 * a RangeError. A symbol table (Debian's stub has one) is tolerated and
 * reported in `symbolTable`; `/<n>` section names are resolved through it.
 */
export async function readPe(input: ByteInput, options: ReadPeOptions = {}): Promise<PeHeaders> {
  const source = toByteSource(input);
  const subject = options.subject ?? 'PE image';
  const head = await source.read(0, Math.min(source.size, MAX_PE_HEADERS_SIZE));
  const headers = parsePeHeaders(head, source.size, subject);
  const symbolTable = await locateSymbolTable(headers, source.read.bind(source));
  const sections = symbolTable ? await resolveLongNames(headers, symbolTable, source.read.bind(source)) : headers.sections;
  return { ...headers, symbolTable, sections };
}

type Read = (offset: number, length: number) => Promise<Uint8Array>;

/** The symbol records plus the string table, if both lie inside the file; otherwise undefined. */
async function locateSymbolTable(pe: PeHeaders, read: Read): Promise<FileRange | undefined> {
  if (pe.pointerToSymbolTable === 0) return undefined;
  const stringTable = pe.pointerToSymbolTable + pe.numberOfSymbols * COFF_SYMBOL_SIZE;
  if (stringTable + STRING_TABLE_LENGTH_SIZE > pe.fileSize) return undefined;
  const lengthBytes = await read(stringTable, STRING_TABLE_LENGTH_SIZE);
  const length = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 4).getUint32(0, true);
  // A length below 4 means "no strings"; the u32 itself is still there.
  const stringsSize = Math.max(length, STRING_TABLE_LENGTH_SIZE);
  if (stringTable + stringsSize > pe.fileSize) return undefined;
  return { offset: pe.pointerToSymbolTable, size: stringTable + stringsSize - pe.pointerToSymbolTable };
}

async function resolveLongNames(pe: PeHeaders, table: FileRange, read: Read): Promise<PeSection[]> {
  const stringTable = pe.pointerToSymbolTable + pe.numberOfSymbols * COFF_SYMBOL_SIZE;
  const stringsEnd = table.offset + table.size;
  const out: PeSection[] = [];
  for (const section of pe.sections) {
    const m = /^\/(\d{1,7})$/.exec(section.name);
    if (!m) {
      out.push(section);
      continue;
    }
    const at = stringTable + Number(m[1]);
    if (at < stringTable + STRING_TABLE_LENGTH_SIZE || at >= stringsEnd) {
      throw new PeFormatError({
        subject: pe.subject,
        field: `section ${section.index} name ${section.name}`,
        offset: section.headerOffset,
        message: 'points outside the COFF string table',
      });
    }
    const window = await read(at, Math.min(MAX_LONG_SECTION_NAME + 1, stringsEnd - at));
    const end = window.indexOf(0);
    if (end < 0 && window.length > MAX_LONG_SECTION_NAME) {
      throw new LimitExceededError({
        limit: 'MAX_LONG_SECTION_NAME',
        maximum: MAX_LONG_SECTION_NAME,
        actual: window.length,
        subject: `${pe.subject}: section ${section.index} name`,
      });
    }
    let name = '';
    for (const byte of window.subarray(0, end < 0 ? window.length : end)) name += String.fromCharCode(byte);
    out.push({ ...section, name });
  }
  return out;
}

/** The file range of a section's real content (see {@link PeSection.dataSize}). */
export function sectionRange(section: PeSection): FileRange {
  return { offset: section.pointerToRawData, size: section.dataSize };
}

/** The first section called `name`, or undefined. */
export function findSection(pe: PeHeaders, name: string): PeSection | undefined {
  return pe.sections.find((s) => s.name === name);
}
