import { LimitExceededError } from '@metalayer/core';
import { PeFormatError } from '../errors/index';
import {
  COFF_CHARACTERISTICS,
  COFF_HEADER_SIZE,
  COFF_MACHINE,
  COFF_NUMBER_OF_SECTIONS,
  COFF_NUMBER_OF_SYMBOLS,
  COFF_POINTER_TO_SYMBOL_TABLE,
  COFF_SIZE_OF_OPTIONAL_HEADER,
  COFF_TIME_DATE_STAMP,
  DATA_DIRECTORY_SIZE,
  DIRECTORY_SECURITY,
  DOS_E_LFANEW_OFFSET,
  DOS_HEADER_SIZE,
  DOS_MAGIC,
  MAX_DATA_DIRECTORIES,
  MAX_FILE_ALIGNMENT,
  MAX_OPTIONAL_HEADER_SIZE,
  MAX_PE_HEADERS_SIZE,
  MAX_PE_SECTIONS,
  MAX_SECTION_ALIGNMENT,
  OPT_CHECKSUM,
  OPT_DATA_DIRECTORIES_PE32,
  OPT_DATA_DIRECTORIES_PE32_PLUS,
  OPT_FILE_ALIGNMENT,
  OPT_MAGIC,
  OPT_NUMBER_OF_RVA_AND_SIZES_PE32,
  OPT_NUMBER_OF_RVA_AND_SIZES_PE32_PLUS,
  OPT_SECTION_ALIGNMENT,
  OPT_SIZE_OF_CODE,
  OPT_SIZE_OF_HEADERS,
  OPT_SIZE_OF_IMAGE,
  OPT_SIZE_OF_INITIALIZED_DATA,
  OPT_SUBSYSTEM,
  OPTIONAL_MAGIC_PE32,
  OPTIONAL_MAGIC_PE32_PLUS,
  PE_ADDRESS_LIMIT,
  PE_SIGNATURE,
  PE_SIGNATURE_SIZE,
  SEC_CHARACTERISTICS,
  SEC_POINTER_TO_RAW_DATA,
  SEC_SIZE_OF_RAW_DATA,
  SEC_VIRTUAL_ADDRESS,
  SEC_VIRTUAL_SIZE,
  SECTION_HEADER_SIZE,
  SECTION_NAME_SIZE,
} from './pe-constants';
import type { FileRange, PeHeaders, PeSection } from './pe-types';

/**
 * Parses the headers of a PE/COFF file from its first bytes (`head`, at
 * least `min(fileSize, MAX_PE_HEADERS_SIZE)` of them). Every offset is checked
 * against the file size; section names are left as written (`/<n>` long names
 * are resolved by {@link readPe}, which can reach the string table).
 */
export function parsePeHeaders(head: Uint8Array, fileSize: number, subject: string): PeHeaders {
  const r = new HeadReader(head, fileSize, subject);
  if (fileSize < DOS_HEADER_SIZE) r.fail('DOS header', 0, `file is ${fileSize} bytes, shorter than the ${DOS_HEADER_SIZE}-byte DOS header`);
  if (r.u16(0, 'DOS magic') !== DOS_MAGIC) r.fail('DOS magic', 0, 'missing "MZ"');
  const peOffset = r.u32(DOS_E_LFANEW_OFFSET, 'e_lfanew');
  const coff = peOffset + PE_SIGNATURE_SIZE;
  r.need(peOffset, PE_SIGNATURE_SIZE + COFF_HEADER_SIZE, 'e_lfanew');
  if (r.u32(peOffset, 'PE signature') !== PE_SIGNATURE) r.fail('PE signature', peOffset, 'missing "PE\\0\\0"');

  const numberOfSections = r.u16(coff + COFF_NUMBER_OF_SECTIONS, 'NumberOfSections');
  if (numberOfSections > MAX_PE_SECTIONS) {
    throw new LimitExceededError({
      limit: 'MAX_PE_SECTIONS',
      maximum: MAX_PE_SECTIONS,
      actual: numberOfSections,
      subject: `${subject}: NumberOfSections`,
    });
  }
  const sizeOfOptionalHeader = r.u16(coff + COFF_SIZE_OF_OPTIONAL_HEADER, 'SizeOfOptionalHeader');
  if (sizeOfOptionalHeader > MAX_OPTIONAL_HEADER_SIZE) {
    throw new LimitExceededError({
      limit: 'MAX_OPTIONAL_HEADER_SIZE',
      maximum: MAX_OPTIONAL_HEADER_SIZE,
      actual: sizeOfOptionalHeader,
      subject: `${subject}: SizeOfOptionalHeader`,
    });
  }
  const opt = coff + COFF_HEADER_SIZE;
  const sectionTableOffset = opt + sizeOfOptionalHeader;
  const sectionTableEnd = sectionTableOffset + numberOfSections * SECTION_HEADER_SIZE;
  if (sectionTableEnd > MAX_PE_HEADERS_SIZE) {
    throw new LimitExceededError({
      limit: 'MAX_PE_HEADERS_SIZE',
      maximum: MAX_PE_HEADERS_SIZE,
      actual: sectionTableEnd,
      subject: `${subject}: end of section table`,
    });
  }
  r.need(sectionTableOffset, numberOfSections * SECTION_HEADER_SIZE, 'section table');

  if (sizeOfOptionalHeader < OPT_SUBSYSTEM + 2)
    r.fail(
      'SizeOfOptionalHeader',
      coff + COFF_SIZE_OF_OPTIONAL_HEADER,
      `${sizeOfOptionalHeader} is too small for an image optional header`,
    );
  const magic = r.u16(opt + OPT_MAGIC, 'optional header Magic');
  if (magic !== OPTIONAL_MAGIC_PE32 && magic !== OPTIONAL_MAGIC_PE32_PLUS)
    r.fail('optional header Magic', opt, `0x${magic.toString(16)} is neither PE32 (0x10b) nor PE32+ (0x20b)`);
  const plus = magic === OPTIONAL_MAGIC_PE32_PLUS;
  const rvaCountAt = plus ? OPT_NUMBER_OF_RVA_AND_SIZES_PE32_PLUS : OPT_NUMBER_OF_RVA_AND_SIZES_PE32;
  const dirsAt = plus ? OPT_DATA_DIRECTORIES_PE32_PLUS : OPT_DATA_DIRECTORIES_PE32;
  if (sizeOfOptionalHeader < dirsAt)
    r.fail(
      'SizeOfOptionalHeader',
      coff + COFF_SIZE_OF_OPTIONAL_HEADER,
      `${sizeOfOptionalHeader} ends before the data directories (${dirsAt})`,
    );
  const rvaCount = r.u32(opt + rvaCountAt, 'NumberOfRvaAndSizes');
  if (rvaCount > MAX_DATA_DIRECTORIES) {
    throw new LimitExceededError({
      limit: 'MAX_DATA_DIRECTORIES',
      maximum: MAX_DATA_DIRECTORIES,
      actual: rvaCount,
      subject: `${subject}: NumberOfRvaAndSizes`,
    });
  }
  if (dirsAt + rvaCount * DATA_DIRECTORY_SIZE > sizeOfOptionalHeader)
    r.fail('NumberOfRvaAndSizes', opt + rvaCountAt, `${rvaCount} directories do not fit in a ${sizeOfOptionalHeader}-byte optional header`);

  const fileAlignment = r.u32(opt + OPT_FILE_ALIGNMENT, 'FileAlignment');
  const sectionAlignment = r.u32(opt + OPT_SECTION_ALIGNMENT, 'SectionAlignment');
  if (!isPowerOfTwo(fileAlignment) || fileAlignment > MAX_FILE_ALIGNMENT)
    r.fail('FileAlignment', opt + OPT_FILE_ALIGNMENT, `${fileAlignment} is not a power of two up to ${MAX_FILE_ALIGNMENT}`);
  if (!isPowerOfTwo(sectionAlignment) || sectionAlignment > MAX_SECTION_ALIGNMENT)
    r.fail('SectionAlignment', opt + OPT_SECTION_ALIGNMENT, `${sectionAlignment} is not a power of two up to ${MAX_SECTION_ALIGNMENT}`);
  const sizeOfHeaders = r.u32(opt + OPT_SIZE_OF_HEADERS, 'SizeOfHeaders');
  if (sizeOfHeaders > fileSize)
    r.fail('SizeOfHeaders', opt + OPT_SIZE_OF_HEADERS, `${sizeOfHeaders} is beyond the end of the ${fileSize}-byte file`);
  if (sizeOfHeaders > MAX_PE_HEADERS_SIZE) {
    throw new LimitExceededError({
      limit: 'MAX_PE_HEADERS_SIZE',
      maximum: MAX_PE_HEADERS_SIZE,
      actual: sizeOfHeaders,
      subject: `${subject}: SizeOfHeaders`,
    });
  }

  const dataDirectories: FileRange[] = [];
  for (let i = 0; i < rvaCount; i++) {
    const at = opt + dirsAt + i * DATA_DIRECTORY_SIZE;
    dataDirectories.push({ offset: r.u32(at, `data directory ${i}`), size: r.u32(at + 4, `data directory ${i} size`) });
  }
  const security = dataDirectories[DIRECTORY_SECURITY];
  let certificateTable: FileRange | undefined;
  if (security && (security.offset !== 0 || security.size !== 0)) {
    const at = opt + dirsAt + DIRECTORY_SECURITY * DATA_DIRECTORY_SIZE;
    if (security.size === 0 || security.offset < sectionTableEnd || security.offset + security.size > fileSize) {
      r.fail(
        'certificate table (data directory 4)',
        at,
        `range [0x${security.offset.toString(16)}, +0x${security.size.toString(16)}) is not inside the ${fileSize}-byte file`,
      );
    }
    certificateTable = security;
  }

  const pointerToSymbolTable = r.u32(coff + COFF_POINTER_TO_SYMBOL_TABLE, 'PointerToSymbolTable');
  const numberOfSymbols = r.u32(coff + COFF_NUMBER_OF_SYMBOLS, 'NumberOfSymbols');
  const sections = parseSections(r, sectionTableOffset, numberOfSections, sectionTableEnd, fileSize);

  const headerLength = Math.max(sectionTableEnd, sizeOfHeaders);
  return {
    subject,
    fileSize,
    peOffset,
    machine: r.u16(coff + COFF_MACHINE, 'Machine'),
    timeDateStamp: r.u32(coff + COFF_TIME_DATE_STAMP, 'TimeDateStamp'),
    coffCharacteristics: r.u16(coff + COFF_CHARACTERISTICS, 'Characteristics'),
    symbolTable: undefined,
    pointerToSymbolTable,
    numberOfSymbols,
    optionalHeaderOffset: opt,
    sizeOfOptionalHeader,
    format: plus ? 'pe32+' : 'pe32',
    sizeOfCode: r.u32(opt + OPT_SIZE_OF_CODE, 'SizeOfCode'),
    sizeOfInitializedData: r.u32(opt + OPT_SIZE_OF_INITIALIZED_DATA, 'SizeOfInitializedData'),
    sectionAlignment,
    fileAlignment,
    sizeOfImage: r.u32(opt + OPT_SIZE_OF_IMAGE, 'SizeOfImage'),
    sizeOfHeaders,
    checkSum: r.u32(opt + OPT_CHECKSUM, 'CheckSum'),
    subsystem: r.u16(opt + OPT_SUBSYSTEM, 'Subsystem'),
    dataDirectories,
    dataDirectoriesOffset: opt + dirsAt,
    certificateTable,
    sectionTableOffset,
    sections,
    headerBytes: head.slice(0, headerLength),
  };
}

function parseSections(r: HeadReader, tableOffset: number, count: number, tableEnd: number, fileSize: number): PeSection[] {
  const sections: PeSection[] = [];
  for (let index = 0; index < count; index++) {
    const at = tableOffset + index * SECTION_HEADER_SIZE;
    const name = decodeName(r.bytes(at, SECTION_NAME_SIZE));
    const field = (f: string) => `section ${index} (${JSON.stringify(name)}) ${f}`;
    const virtualSize = r.u32(at + SEC_VIRTUAL_SIZE, field('VirtualSize'));
    const virtualAddress = r.u32(at + SEC_VIRTUAL_ADDRESS, field('VirtualAddress'));
    const sizeOfRawData = r.u32(at + SEC_SIZE_OF_RAW_DATA, field('SizeOfRawData'));
    const pointerToRawData = r.u32(at + SEC_POINTER_TO_RAW_DATA, field('PointerToRawData'));
    if (virtualAddress + virtualSize > PE_ADDRESS_LIMIT)
      r.fail(field('VirtualSize'), at + SEC_VIRTUAL_SIZE, 'section ends beyond the 4 GiB address space');
    const hasRaw = sizeOfRawData > 0 && pointerToRawData > 0;
    if (hasRaw) {
      if (pointerToRawData + sizeOfRawData > fileSize) {
        r.fail(
          field('PointerToRawData'),
          at + SEC_POINTER_TO_RAW_DATA,
          `raw data [0x${pointerToRawData.toString(16)}, +0x${sizeOfRawData.toString(16)}) runs past the end of the ${fileSize}-byte file (truncated?)`,
        );
      }
      if (pointerToRawData < tableEnd)
        r.fail(
          field('PointerToRawData'),
          at + SEC_POINTER_TO_RAW_DATA,
          `raw data at 0x${pointerToRawData.toString(16)} overlaps the section table`,
        );
    }
    const dataSize = hasRaw ? (virtualSize === 0 ? sizeOfRawData : Math.min(virtualSize, sizeOfRawData)) : 0;
    sections.push({
      index,
      name,
      virtualSize,
      virtualAddress,
      sizeOfRawData: hasRaw ? sizeOfRawData : 0,
      pointerToRawData: hasRaw ? pointerToRawData : 0,
      characteristics: r.u32(at + SEC_CHARACTERISTICS, field('Characteristics')),
      headerOffset: at,
      dataSize,
    });
  }
  return sections;
}

function decodeName(raw: Uint8Array): string {
  let end = raw.indexOf(0);
  if (end < 0) end = raw.length;
  let name = '';
  for (let i = 0; i < end; i++) name += String.fromCharCode(raw[i]!);
  return name;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Little-endian reads from the header bytes, each checked against what was read and the file size. */
class HeadReader {
  private readonly view: DataView;

  constructor(
    private readonly head: Uint8Array,
    private readonly fileSize: number,
    private readonly subject: string,
  ) {
    this.view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  }

  need(offset: number, length: number, field: string): void {
    if (offset + length > this.fileSize)
      this.fail(field, offset, `needs ${length} bytes but the file ends at 0x${this.fileSize.toString(16)} (truncated?)`);
    if (offset + length > this.head.length) {
      throw new LimitExceededError({
        limit: 'MAX_PE_HEADERS_SIZE',
        maximum: MAX_PE_HEADERS_SIZE,
        actual: offset + length,
        subject: `${this.subject}: ${field}`,
      });
    }
  }

  u16(offset: number, field: string): number {
    this.need(offset, 2, field);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, field: string): number {
    this.need(offset, 4, field);
    return this.view.getUint32(offset, true);
  }

  bytes(offset: number, length: number): Uint8Array {
    this.need(offset, length, 'section name');
    return this.head.subarray(offset, offset + length);
  }

  fail(field: string, offset: number, message: string): never {
    throw new PeFormatError({ subject: this.subject, field, offset, message });
  }
}
