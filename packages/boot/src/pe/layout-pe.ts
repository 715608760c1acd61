import { sliceSource, sparseSource, bytesSource, type ByteSource, type PlacedSource } from '../bytes/byte-source';
import { PeLayoutError } from '../errors/index';
import {
  COFF_CHARACTERISTICS,
  COFF_NUMBER_OF_SECTIONS,
  COFF_NUMBER_OF_SYMBOLS,
  COFF_POINTER_TO_SYMBOL_TABLE,
  IMAGE_FILE_LOCAL_SYMS_STRIPPED,
  OPT_CHECKSUM,
  OPT_SIZE_OF_HEADERS,
  OPT_SIZE_OF_IMAGE,
  OPT_SIZE_OF_INITIALIZED_DATA,
  PE_ADDRESS_LIMIT,
  PE_SIGNATURE_SIZE,
  SEC_CHARACTERISTICS,
  SEC_POINTER_TO_RAW_DATA,
  SEC_SIZE_OF_RAW_DATA,
  SEC_VIRTUAL_ADDRESS,
  SEC_VIRTUAL_SIZE,
  SECTION_HEADER_SIZE,
  SECTION_NAME_SIZE,
} from './pe-constants';
import type { PeHeaders, PeSection } from './pe-types';

/** A section kept where it is in the base image (optionally with new, smaller content in its slot). */
export interface FixedSection {
  readonly kind: 'fixed';
  readonly original: PeSection;
  /** New content written into the same raw slot and VA (must fit both). */
  readonly content?: ByteSource;
}

/** A section placed after every fixed one (new, or moved from the base image). */
export interface PlacedSection {
  readonly kind: 'placed';
  readonly name: string;
  readonly characteristics: number;
  readonly content: ByteSource;
  /** Memory size; defaults to the content size; never below it. */
  readonly virtualSize?: number;
}

/** The result of {@link layoutPe}: the new image as a source plus its section table. */
export interface PeLayout {
  /** The whole new file, assembled on demand (headers, sections, zero padding). */
  readonly source: ByteSource;
  /** Section headers of the new file, in table order. */
  readonly sections: readonly PeSection[];
  readonly sizeOfImage: number;
}

/** Options of {@link layoutPe}. */
export interface LayoutPeOptions {
  /** Name used in errors. */
  subject: string;
  /** VA alignment of placed sections (default: the base image's SectionAlignment). */
  sectionAlignment?: number;
}

const roundUp = (n: number, a: number) => Math.ceil(n / a) * a;

/**
 * Writes a PE image from a base image (a stub or a UKI) and a new section
 * list, the way ukify's `pe_add_sections` does: fixed sections keep their VA
 * and raw slot; placed sections follow at `round_up(end, SectionAlignment)` in
 * memory and `round_up(end, FileAlignment)` in the file; the COFF symbol table
 * is dropped; NumberOfSections, SizeOfInitializedData, SizeOfImage and
 * SizeOfHeaders are updated; CheckSum is cleared. Fixed sections must all
 * precede placed ones in `plan`.
 */
export function layoutPe(
  base: PeHeaders,
  baseSource: ByteSource,
  plan: readonly (FixedSection | PlacedSection)[],
  options: LayoutPeOptions,
): PeLayout {
  const { subject } = options;
  const fa = base.fileAlignment;
  const sa = options.sectionAlignment ?? base.sectionAlignment;
  if (sa % base.sectionAlignment !== 0)
    throw new PeLayoutError({
      subject,
      message: `section alignment ${sa} is not a multiple of the image's SectionAlignment ${base.sectionAlignment}`,
    });

  const firstPlaced = plan.findIndex((p) => p.kind === 'placed');
  if (firstPlaced >= 0 && plan.slice(firstPlaced).some((p) => p.kind === 'fixed')) {
    throw new PeLayoutError({ subject, message: 'fixed sections must precede new or moved ones' });
  }
  const fixed = plan.filter((p): p is FixedSection => p.kind === 'fixed');
  const rawStart = Math.min(
    ...fixed.filter((f) => f.original.sizeOfRawData > 0).map((f) => f.original.pointerToRawData),
    Number.MAX_SAFE_INTEGER,
  );
  const sizeOfHeaders = roundUp(base.sizeOfHeaders, fa);
  const tableEnd = base.sectionTableOffset + plan.length * SECTION_HEADER_SIZE;
  if (tableEnd > sizeOfHeaders || tableEnd > rawStart) {
    const free = Math.floor((Math.min(sizeOfHeaders, rawStart) - base.sectionTableOffset) / SECTION_HEADER_SIZE);
    throw new PeLayoutError({
      subject,
      message: `not enough header space for ${plan.length} section headers (room for ${free})`,
      hint: 'the stub leaves too little room after its section table for more sections',
    });
  }
  if (sizeOfHeaders > rawStart)
    throw new PeLayoutError({
      subject,
      message: `SizeOfHeaders rounded to FileAlignment (0x${sizeOfHeaders.toString(16)}) overlaps the first section`,
    });

  const sections: PeSection[] = [];
  const pieces: PlacedSource[] = [];
  let fileEnd = sizeOfHeaders;
  let vaEnd = sizeOfHeaders;
  for (const f of fixed) {
    const o = f.original;
    if (o.sizeOfRawData > 0 && o.pointerToRawData % fa !== 0) {
      throw new PeLayoutError({
        subject,
        section: o.name,
        message: `raw data at 0x${o.pointerToRawData.toString(16)} is not aligned to FileAlignment 0x${fa.toString(16)}`,
      });
    }
    fileEnd = Math.max(fileEnd, o.pointerToRawData + o.sizeOfRawData);
    vaEnd = Math.max(vaEnd, o.virtualAddress + (o.virtualSize || o.sizeOfRawData));
    const rawName = base.headerBytes[o.headerOffset];
    if (rawName === 0x2f /* '/' */ && (base.pointerToSymbolTable !== 0 || base.numberOfSymbols !== 0)) {
      throw new PeLayoutError({
        subject,
        section: o.name,
        message: 'the section uses a COFF string-table name, which does not survive dropping the symbol table',
      });
    }
  }
  const byOffset = fixed
    .map((f) => f.original)
    .filter((o) => o.sizeOfRawData > 0)
    .sort((a, b) => a.pointerToRawData - b.pointerToRawData);
  byOffset.forEach((o, i) => {
    const prev = byOffset[i - 1];
    if (o.pointerToRawData < sizeOfHeaders || (prev && o.pointerToRawData < prev.pointerToRawData + prev.sizeOfRawData)) {
      throw new PeLayoutError({
        subject,
        section: o.name,
        message: `raw data at 0x${o.pointerToRawData.toString(16)} overlaps the headers or another section`,
      });
    }
  });
  let initializedDelta = 0;
  for (const [index, f] of fixed.entries()) {
    const o = f.original;
    let virtualSize = o.virtualSize;
    if (f.content) {
      const limit = slotLimit(o, fixed);
      if (f.content.size > o.sizeOfRawData || f.content.size > limit) {
        throw new PeLayoutError({
          subject,
          section: o.name,
          message: `new content of ${f.content.size} bytes does not fit the existing slot (${Math.min(o.sizeOfRawData, limit)} bytes)`,
        });
      }
      pieces.push({ offset: o.pointerToRawData, source: f.content });
      virtualSize = f.content.size;
    } else if (o.sizeOfRawData > 0) {
      pieces.push({ offset: o.pointerToRawData, source: sliceSource(baseSource, o.pointerToRawData, o.sizeOfRawData) });
    }
    sections.push({
      ...o,
      index,
      virtualSize,
      dataSize: o.sizeOfRawData > 0 ? Math.min(virtualSize || o.sizeOfRawData, o.sizeOfRawData) : 0,
    });
  }
  for (const p of plan.slice(fixed.length) as PlacedSection[]) {
    checkName(p.name, subject);
    const size = p.content.size;
    const virtualSize = Math.max(p.virtualSize ?? size, size);
    const pointerToRawData = size > 0 ? roundUp(fileEnd, fa) : 0;
    const sizeOfRawData = roundUp(size, fa);
    const virtualAddress = roundUp(vaEnd, sa);
    if (virtualAddress + virtualSize > PE_ADDRESS_LIMIT)
      throw new PeLayoutError({ subject, section: p.name, message: 'the image would exceed the 4 GiB PE address space' });
    if (size > 0) pieces.push({ offset: pointerToRawData, source: p.content });
    sections.push({
      index: sections.length,
      name: p.name,
      virtualSize,
      virtualAddress,
      sizeOfRawData,
      pointerToRawData,
      characteristics: p.characteristics,
      headerOffset: 0,
      dataSize: size,
    });
    initializedDelta += virtualSize;
    if (size > 0) fileEnd = pointerToRawData + sizeOfRawData;
    vaEnd = virtualAddress + virtualSize;
  }
  const sizeOfImage = roundUp(vaEnd, sa);
  const header = writeHeader(base, sections, fixed.length, {
    sizeOfHeaders,
    sizeOfImage,
    sizeOfInitializedData: (base.sizeOfInitializedData + initializedDelta + fixedDelta(fixed)) >>> 0,
  });
  pieces.push({ offset: 0, source: bytesSource(header) });
  const final = sections.map((s, i) => ({ ...s, index: i, headerOffset: base.sectionTableOffset + i * SECTION_HEADER_SIZE }));
  return { source: sparseSource(fileEnd, pieces), sections: final, sizeOfImage };
}

/** Room in memory for new content in a fixed section: up to the next section's VA. */
function slotLimit(o: PeSection, all: readonly FixedSection[]): number {
  const next = Math.min(...all.map((f) => f.original.virtualAddress).filter((va) => va > o.virtualAddress), PE_ADDRESS_LIMIT);
  return next - o.virtualAddress;
}

function fixedDelta(fixed: readonly FixedSection[]): number {
  return fixed.reduce((sum, f) => sum + (f.content ? f.content.size - f.original.virtualSize : 0), 0);
}

function checkName(name: string, subject: string): void {
  if (name.length === 0 || name.length > SECTION_NAME_SIZE || !/^[\x21-\x7e]+$/.test(name)) {
    throw new PeLayoutError({
      subject,
      section: name,
      message: `section names must be 1-${SECTION_NAME_SIZE} printable ASCII characters (the stub does not read string-table names)`,
    });
  }
}

function writeHeader(
  base: PeHeaders,
  sections: readonly PeSection[],
  fixedCount: number,
  fields: { sizeOfHeaders: number; sizeOfImage: number; sizeOfInitializedData: number },
): Uint8Array {
  const header = new Uint8Array(fields.sizeOfHeaders);
  header.set(base.headerBytes.subarray(0, Math.min(base.headerBytes.length, fields.sizeOfHeaders)));
  const view = new DataView(header.buffer);
  const coff = base.peOffset + PE_SIGNATURE_SIZE;
  const opt = base.optionalHeaderOffset;
  view.setUint16(coff + COFF_NUMBER_OF_SECTIONS, sections.length, true);
  if (base.pointerToSymbolTable !== 0 || base.numberOfSymbols !== 0) {
    // The symbol table is not carried over (image files should not have one; ukify strips it too).
    view.setUint32(coff + COFF_POINTER_TO_SYMBOL_TABLE, 0, true);
    view.setUint32(coff + COFF_NUMBER_OF_SYMBOLS, 0, true);
    view.setUint16(coff + COFF_CHARACTERISTICS, base.coffCharacteristics | IMAGE_FILE_LOCAL_SYMS_STRIPPED, true);
  }
  view.setUint32(opt + OPT_SIZE_OF_INITIALIZED_DATA, fields.sizeOfInitializedData, true);
  view.setUint32(opt + OPT_SIZE_OF_IMAGE, fields.sizeOfImage, true);
  view.setUint32(opt + OPT_SIZE_OF_HEADERS, fields.sizeOfHeaders, true);
  view.setUint32(opt + OPT_CHECKSUM, 0, true);
  // Clear the old table (it may have been longer), then write the new one.
  const oldEnd = base.sectionTableOffset + base.sections.length * SECTION_HEADER_SIZE;
  header.fill(0, base.sectionTableOffset, Math.min(Math.max(oldEnd, base.sectionTableOffset), header.length));
  for (const [i, s] of sections.entries()) {
    const at = base.sectionTableOffset + i * SECTION_HEADER_SIZE;
    if (i < fixedCount) {
      // Fixed sections keep their original header bytes (name, relocation fields); only sizes may change.
      header.set(base.headerBytes.subarray(s.headerOffset, s.headerOffset + SECTION_HEADER_SIZE), at);
    } else {
      for (let c = 0; c < s.name.length; c++) header[at + c] = s.name.charCodeAt(c);
    }
    view.setUint32(at + SEC_VIRTUAL_SIZE, s.virtualSize, true);
    view.setUint32(at + SEC_VIRTUAL_ADDRESS, s.virtualAddress, true);
    view.setUint32(at + SEC_SIZE_OF_RAW_DATA, s.sizeOfRawData, true);
    view.setUint32(at + SEC_POINTER_TO_RAW_DATA, s.pointerToRawData, true);
    view.setUint32(at + SEC_CHARACTERISTICS, s.characteristics, true);
  }
  return header;
}
