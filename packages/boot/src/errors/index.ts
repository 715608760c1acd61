export { PeFormatError } from './pe-format-error';
export { PeLayoutError } from './pe-layout-error';
export { SignedPeError } from './signed-pe-error';
export { ComposefsArgError } from './composefs-arg-error';
export { BlsEntryError } from './bls-entry-error';
export { UnsafePathError } from './unsafe-path-error';
export { BootLayoutError } from './boot-layout-error';
