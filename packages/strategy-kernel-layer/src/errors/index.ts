export { LayerOutsideBootError } from './layer-outside-boot-error';
export { NotBootableBaseError } from './not-bootable-base-error';
export { BootEntryConflictError } from './boot-entry-conflict-error';
