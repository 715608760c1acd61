// Public API of @metalayer/strategy-kernel-layer: named re-exports only.
export { createKernelLayerStrategy, KERNEL_LAYER_CAPABILITIES, type KernelLayerStrategyOptions } from './kernel-layer-strategy';
export { STRATEGY_NAME, KEY_KERNEL_LAYER, KERNEL_LAYER_ROLE } from './labels';
export { LayerOutsideBootError, NotBootableBaseError, BootEntryConflictError } from './errors/index';
export { MAX_KERNEL_LAYER_ENTRIES } from './read-kernel-layer';
export { NEW_DIRECTORY_MODE, PAYLOAD_FILE_MODE } from './kernel-layer-entries';
export { UKI_DIR, BLS_ENTRIES_DIR } from './kernel-layer-layout';
