// PE/COFF layout constants. Source: Microsoft "PE Format" specification
// (learn.microsoft.com/windows/win32/debug/pe-format) and boot-specs.md §4.

/** DOS header: `MZ` at offset 0. */
export const DOS_MAGIC = 0x5a4d;
/** DOS header: the header's size; `e_lfanew` sits inside it. */
export const DOS_HEADER_SIZE = 0x40;
/** DOS header: u32 file offset of the `PE\0\0` signature. */
export const DOS_E_LFANEW_OFFSET = 0x3c;
/** `PE\0\0` as a little-endian u32. */
export const PE_SIGNATURE = 0x00004550;
export const PE_SIGNATURE_SIZE = 4;

// COFF file header (20 bytes, right after the signature).
export const COFF_HEADER_SIZE = 20;
export const COFF_MACHINE = 0;
export const COFF_NUMBER_OF_SECTIONS = 2;
export const COFF_TIME_DATE_STAMP = 4;
export const COFF_POINTER_TO_SYMBOL_TABLE = 8;
export const COFF_NUMBER_OF_SYMBOLS = 12;
export const COFF_SIZE_OF_OPTIONAL_HEADER = 16;
export const COFF_CHARACTERISTICS = 18;
/** COFF characteristics: local symbols stripped (set when the symbol table is dropped). */
export const IMAGE_FILE_LOCAL_SYMS_STRIPPED = 0x0008;
/** A COFF symbol table record is 18 bytes; the string table follows the records. */
export const COFF_SYMBOL_SIZE = 18;

/** Machine types (COFF header `Machine`). */
export const MACHINE = {
  i386: 0x014c,
  x64: 0x8664,
  arm: 0x01c2,
  arm64: 0xaa64,
  riscv64: 0x5064,
  loongarch64: 0x6264,
} as const;

// Optional header. Offsets are relative to its start and equal for PE32 and
// PE32+ up to `Subsystem`; the data directories start at 96 (PE32) / 112 (PE32+).
export const OPTIONAL_MAGIC_PE32 = 0x10b;
export const OPTIONAL_MAGIC_PE32_PLUS = 0x20b;
export const OPT_MAGIC = 0;
export const OPT_SIZE_OF_CODE = 4;
export const OPT_SIZE_OF_INITIALIZED_DATA = 8;
export const OPT_SECTION_ALIGNMENT = 32;
export const OPT_FILE_ALIGNMENT = 36;
export const OPT_SIZE_OF_IMAGE = 56;
export const OPT_SIZE_OF_HEADERS = 60;
export const OPT_CHECKSUM = 64;
export const OPT_SUBSYSTEM = 68;
export const OPT_NUMBER_OF_RVA_AND_SIZES_PE32 = 92;
export const OPT_NUMBER_OF_RVA_AND_SIZES_PE32_PLUS = 108;
export const OPT_DATA_DIRECTORIES_PE32 = 96;
export const OPT_DATA_DIRECTORIES_PE32_PLUS = 112;
/** A data directory entry: u32 VirtualAddress, u32 Size. */
export const DATA_DIRECTORY_SIZE = 8;
/** Data directory index of the certificate table; its "VirtualAddress" is a file offset. */
export const DIRECTORY_SECURITY = 4;
/** Subsystem value of an EFI application (UKIs, the stub, EFI-stub kernels). */
export const SUBSYSTEM_EFI_APPLICATION = 0x0a;

// Section header (40 bytes each, right after the optional header).
export const SECTION_HEADER_SIZE = 40;
export const SECTION_NAME_SIZE = 8;
export const SEC_VIRTUAL_SIZE = 8;
export const SEC_VIRTUAL_ADDRESS = 12;
export const SEC_SIZE_OF_RAW_DATA = 16;
export const SEC_POINTER_TO_RAW_DATA = 20;
export const SEC_CHARACTERISTICS = 36;

/** Section characteristics used by UKI sections (what ukify sets). */
export const IMAGE_SCN_CNT_CODE = 0x00000020;
export const IMAGE_SCN_CNT_INITIALIZED_DATA = 0x00000040;
export const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
export const IMAGE_SCN_MEM_READ = 0x40000000;

// Hard limits for untrusted input.
/** Headers (DOS stub, COFF, optional header, section table) must fit in this many bytes. */
export const MAX_PE_HEADERS_SIZE = 64 * 1024;
/** The Windows loader's limit on sections; UKIs use about a dozen. */
export const MAX_PE_SECTIONS = 96;
/** Largest optional header accepted (PE32+ with 16 directories is 240 bytes). */
export const MAX_OPTIONAL_HEADER_SIZE = 4096;
/** Data directories beyond the 16 defined ones are refused. */
export const MAX_DATA_DIRECTORIES = 16;
/** FileAlignment must be a power of two up to this (the spec says 512..64 KiB). */
export const MAX_FILE_ALIGNMENT = 64 * 1024;
/** SectionAlignment must be a power of two up to this. */
export const MAX_SECTION_ALIGNMENT = 2 * 1024 * 1024;
/** Longest section name resolved through the COFF string table. */
export const MAX_LONG_SECTION_NAME = 255;
/** Addresses and sizes are u32 in PE; sums must stay below this. */
export const PE_ADDRESS_LIMIT = 2 ** 32;
