// Node-only API of @metalayer/boot: files, signing, install-kernel.
export { openFileSource, withFileSource, type FileSource } from './file-source';
export { writeSourceFile, type WriteSourceFileOptions } from './write-source-file';
export { signPe, verifyPeSignature, type SecureBootKey } from './sign-pe';
export { installKernel } from './install/install-kernel';
export { planInstall, disposeInstallPlan, ENTRIES_SREL_PATH, ENTRIES_SREL_CONTENT, MAX_TRIES } from './install/plan-install';
export { executeInstall, BOOT_DIR_MODE, BOOT_FILE_MODE } from './install/execute-install';
export {
  type InstallPayload,
  type UkiInstallPayload,
  type BlsInstallPayload,
  type InstallByteInput,
  type PlanInstallOptions,
  type ExecuteInstallOptions,
  type InstallPlan,
  type InstallChange,
  type InstallRole,
  type InstallResult,
} from './install/install-types';
export { findBootRoot, BOOT_ROOT_CANDIDATES, type BootRoot, type BootRootSource } from './install/find-boot-root';
export { resolveEntryToken, type EntryToken, type EntryTokenSource } from './install/entry-token';
export { readInstallConfig, parseMachineId, type InstallConfig } from './install/install-config';
export { chaseInRoot } from './install/chase-in-root';
export { inspectBootPath, type BootPathState } from './install/boot-path';
export { lazyFileSource, sha256Source } from './install/install-sources';
