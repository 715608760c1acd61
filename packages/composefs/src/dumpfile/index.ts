export { escapeDumpfileField, unescapeDumpfileField, type EscapeOptions } from './escape';
export { DumpfileTreeBuilder, type DumpfileParseOptions } from './dumpfile-tree-builder';
export { DumpfileParser, parseDumpfile, parseDumpfileSync } from './parse-dumpfile';
export { dumpfileLines, formatDumpfile, type DumpfileWriteOptions } from './write-dumpfile';
