// The QEMU end-to-end harness: what the strategy matrix builds its boots from.
export { e2eRoot, e2eCacheDir, artifactsDir, kernelDir, assetsDir } from './paths';
export { canBoot, canBootUefi, haveKernel, BOOT_TOOLS, UEFI_TOOLS } from './preflight';

export { findKernel, requireKernel, prepareModules, E2E_MODULES, type KernelInfo, type PreparedModules } from './kernel/kernel';
export { readModuleIndex, resolveLoadOrder, moduleName, type ModuleIndex } from './kernel/module-index';

export { dir, file, hostFile, symlink, whiteout, mergeLayers, withParentDirs, sortTree, TREE_DEFAULT_MTIME } from './tree/fs-tree';
export type { Tree, TreeEntry, EntryMeta, FileSource } from './tree/fs-tree';
export { writeTreeToDir } from './tree/write-tree';
export { findBusybox, busyboxEntries, BUSYBOX_STATIC, type Busybox } from './tree/busybox';
export { tinyOs, SMALL_MARKER, BIG_MARKER, type TinyOs } from './tree/tiny-os';

export { newcArchive } from './initramfs/newc-archive';
export {
  buildInitramfs,
  initramfsTree,
  defaultInitScript,
  type BuildInitramfsOptions,
  type InitramfsResult,
} from './initramfs/build-initramfs';
export { lddDependencies, binaryWithLibraries, INITRAMFS_LIB_DIR, type LddDependency } from './initramfs/shared-libraries';

export { layerTarEntries } from './oci/layer-entries';
export { writeOciImage, type WriteOciImageOptions, type WrittenOciImage } from './oci/write-oci-image';

export {
  buildComposefsRepository,
  objectPathOf,
  objectPathForContent,
  writeComposefsV1Image,
  INLINE_LIMIT,
} from './composefs/build-repository';
export type { BuildRepositoryOptions, ComposefsRepository, ComposefsImageWriter, RepositoryAlgorithm } from './composefs/build-repository';
export { treeToDumpfile, escapeDumpfileField, type ExternalFile } from './composefs/tree-dumpfile';

export { buildDataDisk, DATA_DISK_LABEL, type BuildDataDiskOptions } from './disks/data-disk';
export { buildTamperedDataDisk, type TamperedDiskOptions } from './disks/tampered-disk';
export { buildEsp, espFilesFromDir, systemdBootFiles, ESP_DEFAULT_LOADER, type EspFile, type BuildEspOptions } from './disks/esp';
export { buildTestUki, type TestUkiOptions } from './boot/build-test-uki';
export { type1BootFiles, type2BootFiles, type Type1Options } from './boot/boot-entries';
export { directBootFromEntry } from './boot/direct-boot-from-entry';

export {
  bootQemu,
  bootTail,
  describeBoot,
  DEFAULT_SUCCESS,
  DEFAULT_FAILURE,
  FAILURE_TAIL_LINES,
  type BootQemuOptions,
  type BootResult,
} from './qemu/boot-qemu';
export { QEMU_FATAL_STDERR } from './qemu/qemu-process';
export { BOOT_OUTCOMES, type BootOutcome } from './qemu/boot-outcomes';
export { qemuArgs, type QemuBoot, type DirectBoot, type UefiBoot, type QemuDisk } from './qemu/qemu-args';
export { chooseAccel, probeKvm } from './qemu/accel';
export { FIRMWARE, missingFirmware } from './qemu/firmware';
export { markValue, markOf, cleanConsoleLine, type BootMark } from './qemu/serial-console';
export { assertComposefsBoot, type ComposefsBootExpectation } from './qemu/assert-boot';
export { acquireVmSlot, maxParallelVms } from './qemu/vm-slots';

export { buildHarnessFixture, tamperedDataDisk, kernelCmdline, composefsKarg, BASE_CMDLINE } from './fixtures/harness-fixture';
export type { HarnessFixture, HarnessFixtureOptions } from './fixtures/harness-fixture';

export {
  createMetalayerCli,
  requireBuiltCli,
  formatCommand,
  type MetalayerCli,
  type CliRun,
  type CliCallOptions,
} from './cli/metalayer-cli';
export { attachJson, verifyJson, deployJson, installKernelJson, copyJson, errorJson } from './cli/cli-json';
export type { AttachJson, VerifyJson, DeployJson, InstallKernelJson, CopyJson, ErrorJson, CliDigest } from './cli/cli-json';
export {
  STRATEGIES,
  MATRIX_VARIANTS,
  ABSENT_VARIANT,
  MATRIX_IMAGE_NAMES,
  type StrategyName,
  type PayloadKind,
  type VariantPlan,
} from './matrix/matrix-plan';
export { writeVariantImages, variantLayers, variantMarker, type VariantImage } from './matrix/variant-images';
export {
  sealVariants,
  attachVariant,
  verifyVariant,
  deployAndInstall,
  mapLimit,
  type SealInputs,
  type SealedVariant,
} from './matrix/seal-variants';
export { bootMediaFor, objectWithContent, type BootLoader, type BootMedia } from './matrix/boot-media';
export { BootSummary, bootDigest, type BootSummaryRow } from './matrix/boot-summary';
