export { InvalidTreeError, type InvalidTreeReason } from './invalid-tree-error';
export { DumpfileParseError, type DumpfileErrorCode } from './dumpfile-parse-error';
export { ErofsFormatError } from './erofs-format-error';
