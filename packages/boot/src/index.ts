// Public API of @metalayer/boot (runtime-neutral parts; file access, signing
// and install-kernel live in `@metalayer/boot/node`).
export {
  PeFormatError,
  PeLayoutError,
  SignedPeError,
  ComposefsArgError,
  BlsEntryError,
  UnsafePathError,
  BootLayoutError,
} from './errors/index';
export {
  type ByteSource,
  type ByteInput,
  type PlacedSource,
  bytesSource,
  toByteSource,
  sliceSource,
  concatSources,
  sparseSource,
  streamSource,
  readAllBytes,
  STREAM_CHUNK_SIZE,
} from './bytes/byte-source';
export { type PeHeaders, type PeSection, type FileRange } from './pe/pe-types';
export { readPe, findSection, sectionRange, type ReadPeOptions } from './pe/read-pe';
export { parsePeHeaders } from './pe/parse-pe-headers';
export { layoutPe, type PeLayout, type FixedSection, type PlacedSection, type LayoutPeOptions } from './pe/layout-pe';
export { MACHINE, MAX_PE_HEADERS_SIZE, MAX_PE_SECTIONS, SUBSYSTEM_EFI_APPLICATION } from './pe/pe-constants';
export {
  readUki,
  ukiSection,
  ukiCmdlines,
  readUkiText,
  readSectionText,
  readSectionBytes,
  type Uki,
  type UkiProfile,
  type UkiCmdline,
  type ReadUkiOptions,
} from './uki/read-uki';
export { UKI_SECTION_NAMES, UKI_TEXT_SECTIONS, isUkiSectionName, MAX_TEXT_SECTION_SIZE, type UkiSectionName } from './uki/uki-sections';
export {
  buildUki,
  joinInitrds,
  UKI_PROFILE_SECTIONS,
  type UkiProfileInput,
  sectionSource,
  UKI_DATA_CHARACTERISTICS,
  UKI_LINUX_CHARACTERISTICS,
  type BuildUkiInput,
  type BuiltUki,
  type SectionInput,
} from './uki/build-uki';
export {
  editUkiCmdline,
  setUkiComposefsDigest,
  type CmdlineEdit,
  type EditedUki,
  type EditUkiCmdlineOptions,
} from './uki/edit-uki-cmdline';
export { readKernelUname } from './uki/kernel-uname';
export { inspectUki, type UkiSummary, type UkiSectionSummary } from './uki/inspect-uki';
export { mergeSbat, sbatComponents, SBAT_HEADER_LINE, SBAT_UKI_LINE } from './uki/sbat';
export {
  tokenizeKernelCmdline,
  splitKernelCmdline,
  joinKernelCmdline,
  parseKernelArg,
  formatKernelArg,
  getKernelArg,
  replaceKernelArgs,
  isKernelSpace,
  type KernelArg,
  type KernelArgToken,
} from './cmdline/kernel-cmdline';
export {
  parseComposefsArg,
  formatComposefsArg,
  findComposefsArgs,
  setComposefsArgs,
  sameComposefsDigest,
  describeComposefsDigest,
  isComposefsKernelArg,
  COMPOSEFS_DIGEST_KEY,
  COMPOSEFS_LEGACY_KEY,
  type ComposefsDigest,
  type ComposefsDigestArg,
  type ComposefsArgSpec,
} from './cmdline/composefs-arg';
export { checkComposefsDigest, type CmdlineToCheck } from './cmdline/check-composefs-digest';
export {
  parseBlsEntry,
  formatBlsEntry,
  getBlsValue,
  getBlsValues,
  getBlsOptions,
  setBlsOptions,
  editBlsOptions,
  validateBlsEntry,
  BLS_KEYS,
  MAX_BLS_ENTRY_SIZE,
  type BlsEntry,
  type BlsLine,
} from './bls/bls-entry';
export { createBlsEntry, type BlsEntryFields } from './bls/create-bls-entry';
export { normalizeBlsPath, checkBootFileName, BOOT_FILE_NAME } from './bls/bls-path';
export { parseEnvFile, parseOsRelease, osReleaseName, osReleaseLabel, type OsRelease, MAX_ENV_FILE_SIZE } from './os-release/env-file';
export { encodeNewcArchive, NEWC_MAX_FIELD, NEWC_MAX_NAME, type NewcEntry } from './initrd/newc-archive';
