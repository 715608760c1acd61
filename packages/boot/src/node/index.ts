// Node-only API of @metalayer/boot: files, signing, install-kernel.
export { openFileSource, withFileSource, type FileSource } from './file-source';
export { writeSourceFile } from './write-source-file';
export { signPe, verifyPeSignature, type SecureBootKey } from './sign-pe';
