/** One section header of a PE file (PE Format spec, "Section Table"). */
export interface PeSection {
  /** Position in the section table (0-based). */
  readonly index: number;
  /** Name with NUL padding removed; `/<n>` names are resolved through the COFF string table. */
  readonly name: string;
  readonly virtualSize: number;
  readonly virtualAddress: number;
  readonly sizeOfRawData: number;
  readonly pointerToRawData: number;
  readonly characteristics: number;
  /** File offset of this 40-byte header. */
  readonly headerOffset: number;
  /**
   * Length of the section's real content in the file: VirtualSize bounded by
   * SizeOfRawData (which includes FileAlignment padding), as systemd-stub and
   * composefs-rs read it. A VirtualSize of 0 means "all raw data".
   */
  readonly dataSize: number;
}

/** A file range `[offset, offset + size)`. */
export interface FileRange {
  readonly offset: number;
  readonly size: number;
}

/** The parsed headers of a PE/COFF image; section bodies stay in the source. */
export interface PeHeaders {
  /** Name used in error messages. */
  readonly subject: string;
  readonly fileSize: number;
  /** `e_lfanew`: file offset of `PE\0\0`. */
  readonly peOffset: number;
  readonly machine: number;
  readonly timeDateStamp: number;
  readonly coffCharacteristics: number;
  /** COFF symbol table + string table, when present and inside the file. */
  readonly symbolTable: FileRange | undefined;
  /** Raw `PointerToSymbolTable`/`NumberOfSymbols` (non-zero even when the table is unusable). */
  readonly pointerToSymbolTable: number;
  readonly numberOfSymbols: number;
  readonly optionalHeaderOffset: number;
  readonly sizeOfOptionalHeader: number;
  /** `pe32` (0x10b) or `pe32+` (0x20b). */
  readonly format: 'pe32' | 'pe32+';
  readonly sizeOfCode: number;
  readonly sizeOfInitializedData: number;
  readonly sectionAlignment: number;
  readonly fileAlignment: number;
  readonly sizeOfImage: number;
  readonly sizeOfHeaders: number;
  readonly checkSum: number;
  readonly subsystem: number;
  /** Data directories (RVA, size); index 4 holds a file range, see {@link certificateTable}. */
  readonly dataDirectories: readonly FileRange[];
  /** File offset of the data directory array. */
  readonly dataDirectoriesOffset: number;
  /** Authenticode certificate table (data directory 4), when the file is signed. */
  readonly certificateTable: FileRange | undefined;
  readonly sectionTableOffset: number;
  readonly sections: readonly PeSection[];
  /** The header bytes `[0, max(section table end, SizeOfHeaders))`, for rewriting. */
  readonly headerBytes: Uint8Array;
}
