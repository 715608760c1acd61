export { openAtomic, writeFileAtomic, fsyncDirectory, type AtomicFile, type AtomicContent, type AtomicWriteOptions } from './atomic-write';
