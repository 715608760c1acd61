import { Buffer } from 'node:buffer';
import { DumpfileParseError } from '../errors/dumpfile-parse-error';
import { LimitExceededError } from '@metalayer/core';
import { MAX_DUMPFILE_LINE_LENGTH } from '../limits';
import type { Directory } from '../tree/types';
import { DumpfileTreeBuilder, type DumpfileParseOptions } from './dumpfile-tree-builder';

const NEWLINE = 0x0a;

/**
 * Push-style dumpfile parser: feed bytes with {@link push} in any chunking,
 * then {@link end} returns the tree. Memory holds the tree plus one line.
 */
export class DumpfileParser {
  private readonly builder: DumpfileTreeBuilder;
  private readonly strict: boolean;
  private partial: Buffer[] = [];
  private partialLength = 0;
  private line = 0;

  constructor(options: DumpfileParseOptions = {}) {
    this.builder = new DumpfileTreeBuilder(options);
    this.strict = options.strict === true;
  }

  /** Feeds the next bytes of the dumpfile. */
  push(chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (;;) {
      const newline = bytes.indexOf(NEWLINE, start);
      if (newline < 0) break;
      this.emit(bytes, start, newline);
      start = newline + 1;
    }
    if (start < bytes.length) {
      this.partialLength += bytes.length - start;
      this.checkLength(this.partialLength, this.line + 1);
      this.partial.push(Buffer.from(bytes.subarray(start)));
    }
  }

  /** Finishes parsing: handles a last line without newline and resolves hard links. */
  end(): Directory {
    if (this.partialLength > 0) {
      const text = Buffer.concat(this.partial).toString('latin1');
      this.partial = [];
      this.partialLength = 0;
      this.line++;
      if (this.strict) {
        throw new DumpfileParseError({ code: 'strict', line: this.line, message: 'missing trailing newline' });
      }
      this.builder.addLine(text, this.line);
    }
    return this.builder.finish();
  }

  private emit(bytes: Buffer, start: number, end: number): void {
    this.line++;
    let text: string;
    if (this.partialLength > 0) {
      this.checkLength(this.partialLength + end - start, this.line);
      this.partial.push(bytes.subarray(start, end));
      text = Buffer.concat(this.partial).toString('latin1');
      this.partial = [];
      this.partialLength = 0;
    } else {
      this.checkLength(end - start, this.line);
      text = bytes.toString('latin1', start, end);
    }
    this.builder.addLine(text, this.line);
  }

  private checkLength(length: number, line: number): void {
    if (length <= MAX_DUMPFILE_LINE_LENGTH) return;
    const cause = new LimitExceededError({
      limit: 'MAX_DUMPFILE_LINE_LENGTH',
      maximum: MAX_DUMPFILE_LINE_LENGTH,
      actual: length,
      subject: `dumpfile line ${line}`,
    });
    throw new DumpfileParseError({ code: 'limit', line, message: cause.message, cause });
  }
}

function toBytes(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
}

/**
 * Parses a whole dumpfile held in memory. A string is UTF-8 encoded first
 * (escaped dumpfiles are ASCII anyway).
 */
export function parseDumpfileSync(input: string | Uint8Array, options: DumpfileParseOptions = {}): Directory {
  const parser = new DumpfileParser(options);
  parser.push(toBytes(input));
  return parser.end();
}

/**
 * Parses a dumpfile from memory or from a stream of chunks (a file stream,
 * stdin), line by line: a dumpfile of hundreds of MB is never held whole.
 */
export async function parseDumpfile(
  input: string | Uint8Array | AsyncIterable<Uint8Array>,
  options: DumpfileParseOptions & { signal?: AbortSignal } = {},
): Promise<Directory> {
  if (typeof input === 'string' || input instanceof Uint8Array) return parseDumpfileSync(input, options);
  const parser = new DumpfileParser(options);
  for await (const chunk of input) {
    options.signal?.throwIfAborted();
    parser.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  }
  return parser.end();
}
