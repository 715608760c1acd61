import { readFileSync } from 'node:fs';
import { MetalayerError } from '@metalayer/core';
import { prngBytes } from '@metalayer/test-utils';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAllBytes } from '../bytes/byte-source';
import { findComposefsArgs } from '../cmdline/composefs-arg';
import { haveBootFixtures, stubPath, TEST_OS_RELEASE } from '../test-support/fixtures';
import { buildUki } from '../uki/build-uki';
import { editUkiCmdline } from '../uki/edit-uki-cmdline';
import { readSectionText, readUki, ukiCmdlines } from '../uki/read-uki';
import { readKernelUname } from '../uki/kernel-uname';
import { readPe } from './read-pe';

/** Everything the package does with an untrusted PE; it may refuse, but only with a typed error. */
async function exercise(bytes: Uint8Array): Promise<void> {
  await readKernelUname(bytes);
  const uki = await readUki(bytes, { subject: 'fuzzed' });
  for (const section of uki.pe.sections) {
    if (['.cmdline', '.osrel', '.uname', '.profile', '.sbat'].includes(section.name)) await readSectionText(uki.source, uki.pe, section);
  }
  for (const { cmdline } of await ukiCmdlines(uki)) if (cmdline) findComposefsArgs(cmdline);
  const edited = await editUkiCmdline(bytes, (c) => `${c ?? ''} composefs=${'a'.repeat(64)}`, { subject: 'fuzzed' });
  await readPe(await readAllBytes(edited.source), { subject: 'edited' });
}

/** Building a UKI from an untrusted stub. */
async function exerciseStub(bytes: Uint8Array): Promise<void> {
  const rebuilt = await buildUki({ stub: bytes, linux: new Uint8Array(64), cmdline: 'x', subject: { stub: 'fuzzed stub' } });
  await readPe(await readAllBytes(rebuilt.source));
}

async function typedOnly(bytes: Uint8Array, fn = exercise): Promise<void> {
  try {
    await fn(bytes);
  } catch (error) {
    if (!MetalayerError.isInstance(error)) throw error;
  }
}

const u32 = (b: Uint8Array, at: number, v: number) => {
  if (at >= 0 && at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);
};

describe.skipIf(!haveBootFixtures())('PE reader fuzzing: typed errors only, never RangeError/TypeError or a hang', () => {
  let base: Uint8Array;
  let stub: Uint8Array;
  let fieldOffsets: number[];

  beforeAll(async () => {
    const built = await buildUki({
      stub: readFileSync(stubPath),
      linux: prngBytes('fake kernel', 3000),
      // The Debian stub has room for 7 more section headers.
      cmdline: `quiet composefs=${'b'.repeat(64)}`,
      osRelease: TEST_OS_RELEASE,
      uname: null,
      profiles: [{ profile: 'ID=a\nTITLE=A\n', sections: [{ name: '.cmdline', content: 'a' }] }, { profile: 'ID=b\n' }],
    });
    base = await readAllBytes(built.source);
    stub = new Uint8Array(readFileSync(stubPath));
    const pe = await readPe(base);
    // Every header field worth lying about.
    const coff = pe.peOffset + 4;
    fieldOffsets = [
      0x3c,
      coff + 2,
      coff + 8,
      coff + 12,
      coff + 16,
      pe.optionalHeaderOffset + 32,
      pe.optionalHeaderOffset + 36,
      pe.optionalHeaderOffset + 56,
      pe.optionalHeaderOffset + 60,
      pe.optionalHeaderOffset + 108,
      pe.dataDirectoriesOffset + 32,
      pe.dataDirectoriesOffset + 36,
      pe.dataDirectoriesOffset + 40,
    ];
    for (const s of pe.sections)
      fieldOffsets.push(s.headerOffset, s.headerOffset + 8, s.headerOffset + 12, s.headerOffset + 16, s.headerOffset + 20);
  });

  it('the unmodified inputs are accepted', async () => {
    await exercise(base);
    await exerciseStub(stub);
    const uki = await readUki(base);
    expect(uki.profiles.map((p) => [p.index, p.id, p.title])).toEqual([
      [0, 'a', 'A'],
      [1, 'b', undefined],
    ]);
    expect((await ukiCmdlines(uki)).map((c) => c.cmdline)).toEqual(['a', `quiet composefs=${'b'.repeat(64)}`]);
  });

  it('survives truncation at any length', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1 << 30 }), async (n) => {
        await typedOnly(base.slice(0, n % base.length));
      }),
      { numRuns: 300 },
    );
  });

  it('survives random corruption of the headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: 0x3ff }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 }),
        async (edits) => {
          const b = base.slice();
          for (const [at, v] of edits) b[at] = v;
          await typedOnly(b);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('survives a corrupted or truncated stub when building', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: 0x3ff }), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        async (edits, cut) => {
          const b = stub.slice(0, edits.length % 2 === 0 ? stub.length : cut % stub.length);
          for (const [at, v] of edits) if (at < b.length) b[at] = v;
          await typedOnly(b, exerciseStub);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('survives huge and boundary values in every header field', async () => {
    const values = [0, 1, 2, 0x28, 0x200, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...values), fc.nat({ max: 0x200000 }))), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (edits, truncate) => {
          const b = base.slice();
          for (const [i, v] of edits) u32(b, fieldOffsets[i % fieldOffsets.length]!, v === 0x200000 ? b.length : v);
          await typedOnly(truncate ? b.subarray(0, b.length - 100) : b);
        },
      ),
      { numRuns: 500 },
    );
  });
});
