export { LayerEntryError, type LayerEntryErrorReason } from './layer-entry-error';
export { PathTraversalError } from './path-traversal-error';
export { LayerReadError } from './layer-read-error';
export { RootfsTransformError } from './rootfs-transform-error';
export { SelinuxPolicyError } from './selinux-policy-error';
