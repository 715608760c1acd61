import { readFileSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LimitExceededError } from '@metalayer/core';
import { vectorsPath } from '@metalayer/test-utils';
import { DumpfileParseError } from '../errors/dumpfile-parse-error';
import { bytesToByteString } from '../tree/byte-string';
import { lookupPath } from '../tree/tree-ops';
import type { RegularFile } from '../tree/types';
import { escapeDumpfileField, formatDumpfile, parseDumpfile, parseDumpfileSync, unescapeDumpfileField } from './index';

const ROOT = '/ 4096 40755 2 0 0 0 0.0 - - -\n';
const HEX64 = 'ab'.repeat(32);

function parseError(text: string, options = {}): DumpfileParseError {
  try {
    parseDumpfileSync(text, options);
  } catch (error) {
    if (DumpfileParseError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DumpfileParseError');
}

describe('escaping', () => {
  it('escapes like composefs-info dump', () => {
    expect(escapeDumpfileField('a b\\c\nd\re\tf\x7f\x80\xff=')).toBe('a\\x20b\\\\c\\nd\\re\\tf\\x7f\\x80\\xff=');
    expect(escapeDumpfileField('k=v', { equal: true })).toBe('k\\x3dv');
    expect(escapeDumpfileField('-', { loneDash: true })).toBe('\\x2d');
    expect(escapeDumpfileField('--', { loneDash: true })).toBe('--');
    expect(escapeDumpfileField('-')).toBe('-');
  });

  it('round-trips every byte string and only emits isgraph bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, equal) => {
        const text = bytesToByteString(bytes);
        const escaped = escapeDumpfileField(text, { equal, loneDash: true });
        expect(escaped).toMatch(/^[\x21-\x7e]*$/);
        if (equal) expect(escaped).not.toContain('=');
        expect(unescapeDumpfileField(escaped)).toBe(text);
      }),
    );
  });

  it('accepts hex in either case and rejects other escapes with the line', () => {
    expect(unescapeDumpfileField('\\x4A\\x4b')).toBe('JK');
    for (const bad of ['\\q', '\\', '\\x4', '\\xzz']) {
      const error = parseError(`${ROOT}/f 1 100644 1 0 0 0 0.0 - ${bad} -\n`);
      expect([error.code, error.line, error.field]).toEqual(['escape', 2, 'CONTENT']);
    }
  });
});

describe('parsing semantics', () => {
  it('ignores sibling order, directory SIZE/NLINK and every field of a hard-link line but PAYLOAD', () => {
    const a = parseDumpfileSync(
      `${ROOT}/d 1 40700 9 0 0 0 5.0 - - -\n/d/f 3 100644 7 1 2 0 5.1 - abc -\n/x 99 @100600 1 5 5 5 9.9 /d/f - -\n`,
    );
    const b = parseDumpfileSync(
      `${ROOT}/x 0 @100644 0 0 0 0 0.0 /d/f - -\n/d 0 40700 2 0 0 0 5.0 - - -\n/d/f 3 100644 7 1 2 0 5.1 - abc -\n`,
    );
    expect(formatDumpfile(a)).toBe(formatDumpfile(b));
    expect(lookupPath(a, '/x')).toBe(lookupPath(a, '/d/f'));
    expect((lookupPath(a, '/x') as RegularFile).nlink).toBe(7);
    expect(formatDumpfile(a)).toContain('/x 3 @100644 7 1 2 0 5.1 /d/f abc -\n');
  });

  it('reads signed mtimes, truncates rdev to 32 bits and keeps 128-hex digests', () => {
    const root = parseDumpfileSync(
      `/ 0 40755 2 0 0 0 -1.0 - - -\n/a 0 20644 1 0 0 4294967297 18446744073709551615.5 - - -\n` +
        `/big 9000000000 100644 1 0 0 0 0.0 ab/cd - ${'cd'.repeat(64)}\n`,
    );
    expect(root.stat.mtimeSec).toBe(-1n);
    const dev = lookupPath(root, '/a')!;
    expect(dev.kind === 'chardev' && [dev.rdev, dev.stat.mtimeSec, dev.stat.mtimeNsec]).toEqual([1, -1n, 5]);
    const big = lookupPath(root, '/big') as RegularFile;
    expect([big.size, big.digest?.length, big.payload]).toEqual([9000000000, 64, 'ab/cd']);
  });

  it('splits xattrs at the first raw =, later duplicates win', () => {
    const root = parseDumpfileSync(`/ 0 40755 2 0 0 0 0.0 - - - user.a=1 user.k\\x3dx=v=w user.a=2 user.e=\n`);
    expect([...root.stat.xattrs].map(([k, v]) => [k, Buffer.from(v).toString()])).toEqual([
      ['user.a', '2'],
      ['user.k=x', 'v=w'],
      ['user.e', ''],
    ]);
  });

  it('accepts a missing trailing newline unless strict', () => {
    expect(parseDumpfileSync(ROOT.trimEnd()).kind).toBe('directory');
    expect(parseError(ROOT.trimEnd(), { strict: true }).code).toBe('strict');
  });

  it('gives the same tree for any chunking of a stream', async () => {
    const text = readFileSync(vectorsPath('composefs', '08-xattrs.dump'));
    const expected = formatDumpfile(parseDumpfileSync(text));
    const chunks = [];
    for (let i = 0; i < text.length; i += 7) chunks.push(text.subarray(i, i + 7));
    expect(formatDumpfile(await parseDumpfile(Readable.from(chunks)))).toBe(expected);
  });

  it('re-dumps every vector canonically and stably', () => {
    for (const file of readdirSync(vectorsPath('composefs')).filter((f) => f.endsWith('.dump'))) {
      const once = formatDumpfile(parseDumpfileSync(readFileSync(vectorsPath('composefs', file))));
      expect(formatDumpfile(parseDumpfileSync(once, { strict: true }))).toBe(once);
    }
  });
});

describe('malformed dumpfiles', () => {
  const cases: Array<[string, string, string, number]> = [
    ['empty input', '', 'root', 0],
    ['empty line', `${ROOT}\n`, 'path', 2],
    ['child before root', `/a 0 100644 1 0 0 0 0.0 - - -\n`, 'root', 1],
    ['two roots', `${ROOT}${ROOT}`, 'root', 2],
    ['root not a directory', `/ 0 100644 1 0 0 0 0.0 - - -\n`, 'root', 1],
    ['unknown file type', `${ROOT}/a 0 170644 1 0 0 0 0.0 - - -\n`, 'mode', 2],
    ['non-octal mode', `${ROOT}/a 0 100648 1 0 0 0 0.0 - - -\n`, 'integer', 2],
    ['bad integer', `${ROOT}/a x 100644 1 0 0 0 0.0 - - -\n`, 'integer', 2],
    ['uid over 32 bits', `${ROOT}/a 0 100644 1 4294967296 0 0 0.0 - - -\n`, 'integer', 2],
    ['mtime without dot', `${ROOT}/a 0 100644 1 0 0 0 12 - - -\n`, 'integer', 2],
    ['missing parent', `${ROOT}/a/b 0 100644 1 0 0 0 0.0 - - -\n`, 'missing-parent', 2],
    ['parent not a directory', `${ROOT}/a 0 100644 1 0 0 0 0.0 - - -\n/a/b 0 100644 1 0 0 0 0.0 - - -\n`, 'missing-parent', 3],
    ['duplicate path', `${ROOT}/a 0 100644 1 0 0 0 0.0 - - -\n/a 0 100644 1 0 0 0 0.0 - - -\n`, 'duplicate', 3],
    ['dot name', `${ROOT}/. 0 100644 1 0 0 0 0.0 - - -\n`, 'path', 2],
    ['trailing slash', `${ROOT}/a/ 0 40755 1 0 0 0 0.0 - - -\n`, 'missing-parent', 2],
    ['name over 255 bytes', `${ROOT}/${'n'.repeat(256)} 0 100644 1 0 0 0 0.0 - - -\n`, 'limit', 2],
    ['embedded NUL', `${ROOT}/a\0 0 100644 1 0 0 0 0.0 - - -\n`, 'syntax', 2],
    ['NUL escaped in a name', `${ROOT}/a\\x00b 0 100644 1 0 0 0 0.0 - - -\n`, 'path', 2],
    ['invalid digest hex', `${ROOT}/a 5 100644 1 0 0 0 0.0 - - ${'zz'.repeat(32)}\n`, 'digest', 2],
    ['digest of 40 hex', `${ROOT}/a 5 100644 1 0 0 0 0.0 - - ${'ab'.repeat(20)}\n`, 'digest', 2],
    ['content size mismatch', `${ROOT}/a 5 100644 1 0 0 0 0.0 - abc -\n`, 'content', 2],
    ['content over 5000 bytes', `${ROOT}/a 5001 100644 1 0 0 0 0.0 - ${'c'.repeat(5001)} -\n`, 'limit', 2],
    ['symlink without target', `${ROOT}/l 0 120777 1 0 0 0 0.0 - - -\n`, 'symlink', 2],
    ['symlink of 4096 bytes', `${ROOT}/l 4096 120777 1 0 0 0 0.0 ${'t'.repeat(4096)} - -\n`, 'limit', 2],
    ['external file over 2^53', `${ROOT}/a 9007199254740993 100644 1 0 0 0 0.0 - - ${HEX64}\n`, 'limit', 2],
    ['xattr without =', `${ROOT}/a 0 100644 1 0 0 0 0.0 - - - user.x\n`, 'xattr', 2],
    ['empty xattr after two spaces', `${ROOT}/a 0 100644 1 0 0 0 0.0 - - -  user.x=1\n`, 'xattr', 2],
    ['xattr name over 255', `${ROOT}/a 0 100644 1 0 0 0 0.0 - - - user.${'k'.repeat(251)}=1\n`, 'limit', 2],
    ['xattr budget', `${ROOT}/a 0 100644 1 0 0 0 0.0 - - - user.a=${'v'.repeat(20000)} user.b=${'v'.repeat(20000)}\n`, 'limit', 2],
    ['xattr field over 65535', `${ROOT}/a 0 100644 1 0 0 0 0.0 - - - ${'user.a=1 '.repeat(8000)}\n`, 'limit', 2],
    ['hard link to a directory', `${ROOT}/d 0 40755 2 0 0 0 0.0 - - -\n/l 0 @100644 1 0 0 0 0.0 /d - -\n`, 'hard-link', 3],
    ['hard-linked directory', `${ROOT}/l 0 @40755 1 0 0 0 0.0 / - -\n`, 'hard-link', 2],
    ['hard link to nothing', `${ROOT}/l 0 @100644 1 0 0 0 0.0 /nope - -\n`, 'hard-link', 2],
    ['hard link without target', `${ROOT}/l 0 @100644 1 0 0 0 0.0 - - -\n`, 'hard-link', 2],
    ['self hard link', `${ROOT}/l 0 @100644 1 0 0 0 0.0 /l - -\n`, 'hard-link', 2],
    ['hard-link cycle', `${ROOT}/a 0 @100644 1 0 0 0 0.0 /b - -\n/b 0 @100644 1 0 0 0 0.0 /a - -\n`, 'hard-link', 2],
  ];

  it.each(cases)('%s', (_name, text, code, line) => {
    const error = parseError(text);
    expect([error.code, error.line]).toEqual([code, line]);
    expect(error.message).toContain(line > 0 ? `line ${line}` : 'dumpfile');
    if (code === 'limit') expect(LimitExceededError.isInstance(error.cause)).toBe(true);
  });

  it.each([
    ['rdev on a non-device', `${ROOT}/a 0 100644 1 0 0 5 0.0 - - -\n`],
    ['symlink SIZE mismatch', `${ROOT}/l 3 120777 1 0 0 0 0.0 ab - -\n`],
    ['symlink with content', `${ROOT}/l 2 120777 1 0 0 0 0.0 ab ab -\n`],
  ])('strict mode rejects %s (lenient mode accepts it)', (_name, text) => {
    expect(parseError(text, { strict: true }).code).toBe('strict');
    expect(() => parseDumpfileSync(text)).not.toThrow();
  });

  it('bounds the line length before a newline arrives', () => {
    const parser = parseError(`${ROOT}/${'a'.repeat(1 << 20)}`);
    expect([parser.code, parser.line]).toEqual(['limit', 2]);
  });
});
