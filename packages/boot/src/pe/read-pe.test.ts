import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LimitExceededError } from '@metalayer/core';
import { haveTools, useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { PeFormatError } from '../errors/index';
import { haveBootFixtures, kernelPath, stubPath } from '../test-support/fixtures';
import { objdumpPrivate, objdumpSections } from '../test-support/objdump';
import { COFF_NUMBER_OF_SECTIONS, DOS_E_LFANEW_OFFSET, PE_SIGNATURE_SIZE, SECTION_HEADER_SIZE } from './pe-constants';
import { readPe } from './read-pe';

describe.skipIf(!haveBootFixtures() || !haveTools('objdump'))('readPe on real files', () => {
  const dir = useTempDir('metalayer-pe-');

  it.each([
    ['systemd stub', stubPath, false],
    ['kernel', kernelPath, true],
  ])('agrees with objdump on the %s', async (_, path, signed) => {
    const pe = await readPe(readFileSync(path), { subject: path });
    const theirs = objdumpSections(path);
    expect(pe.sections.map((s) => [s.name, s.virtualAddress, s.pointerToRawData, s.dataSize])).toEqual(
      theirs.map((s) => [s.name, s.vma, s.fileOffset, s.size]),
    );
    const p = objdumpPrivate(path);
    expect([pe.sizeOfImage, pe.sizeOfHeaders, pe.sectionAlignment, pe.fileAlignment, pe.checkSum, pe.subsystem]).toEqual([
      p.SizeOfImage,
      p.SizeOfHeaders,
      p.SectionAlignment,
      p.FileAlignment,
      p.CheckSum,
      p.Subsystem,
    ]);
    // Debian signs its kernels for Secure Boot; the stub is shipped unsigned.
    expect(pe.certificateTable !== undefined).toBe(signed);
    if (pe.certificateTable) expect(pe.certificateTable.offset + pe.certificateTable.size).toBe(readFileSync(path).length);
    expect(pe.machine).toBe(0x8664);
  });

  it("tolerates the Debian stub's COFF symbol table and reports it", async () => {
    const bytes = readFileSync(stubPath);
    const pe = await readPe(bytes, { subject: 'stub' });
    expect(pe.numberOfSymbols).toBeGreaterThan(0);
    expect(pe.symbolTable).toBeDefined();
    // The symbol and string tables run to the end of the file.
    expect(pe.symbolTable!.offset + pe.symbolTable!.size).toBe(bytes.length);
  });

  it('resolves /<n> section names through the string table like objdump', async () => {
    const bytes = new Uint8Array(readFileSync(stubPath));
    const pe = await readPe(bytes, { subject: 'stub' });
    const strings = pe.pointerToSymbolTable + pe.numberOfSymbols * 18;
    const long = '.longsectionname';
    const payload = new TextEncoder().encode(`${long}\0`);
    const patched = new Uint8Array(bytes.length + payload.length);
    patched.set(bytes);
    // Append the name to the string table (the file's last bytes) and grow its length field.
    const view = new DataView(patched.buffer);
    const oldLength = view.getUint32(strings, true);
    patched.set(payload, strings + oldLength);
    view.setUint32(strings, oldLength + payload.length, true);
    const target = pe.sections.find((s) => s.name === '.sdmagic')!;
    patched.set(new TextEncoder().encode(`/${oldLength}`.padEnd(8, '\0')), target.headerOffset);
    const path = join(dir, 'longname.efi');
    writeFileSync(path, patched);
    const reread = await readPe(patched, { subject: 'patched' });
    expect(reread.sections[target.index]!.name).toBe(long);
    expect(objdumpSections(path).map((s) => s.name)).toEqual(reread.sections.map((s) => s.name));
  });
});

describe('readPe edge cases', () => {
  const minimal = () => {
    // DOS header + PE header of a PE32+ image with no sections.
    const b = new Uint8Array(0x200);
    const v = new DataView(b.buffer);
    v.setUint16(0, 0x5a4d, true);
    v.setUint32(DOS_E_LFANEW_OFFSET, 0x40, true);
    v.setUint32(0x40, 0x4550, true);
    v.setUint16(0x40 + PE_SIGNATURE_SIZE + 16, 240, true);
    const opt = 0x40 + 4 + 20;
    v.setUint16(opt, 0x20b, true);
    v.setUint32(opt + 32, 0x1000, true);
    v.setUint32(opt + 36, 0x200, true);
    v.setUint32(opt + 60, 0x200, true);
    v.setUint32(opt + 108, 16, true);
    return b;
  };

  it('reads a minimal header', async () => {
    const pe = await readPe(minimal());
    expect(pe.sections).toEqual([]);
    expect(pe.format).toBe('pe32+');
  });

  it.each([
    ['empty file', (b: Uint8Array) => b.subarray(0, 0), /DOS header/],
    ['bad MZ', (b: Uint8Array) => (b.set([0, 0]), b), /MZ/],
    ['e_lfanew past the end', (b: Uint8Array) => (new DataView(b.buffer).setUint32(DOS_E_LFANEW_OFFSET, 0x1f0, true), b), /truncated/],
    ['bad PE signature', (b: Uint8Array) => (b.set([0x50, 0x46], 0x40), b), /PE\\0\\0/],
    [
      'sections past the end',
      (b: Uint8Array) => (new DataView(b.buffer).setUint16(0x44 + COFF_NUMBER_OF_SECTIONS, 8, true), b),
      /section table/,
    ],
    ['bad magic', (b: Uint8Array) => (new DataView(b.buffer).setUint16(0x58, 0x999, true), b), /Magic/],
    ['bad file alignment', (b: Uint8Array) => (new DataView(b.buffer).setUint32(0x58 + 36, 3, true), b), /FileAlignment/],
    [
      'certificate table outside the file',
      (b: Uint8Array) => (
        new DataView(b.buffer).setUint32(0x58 + 112 + 32, 0x180, true),
        new DataView(b.buffer).setUint32(0x58 + 112 + 36, 0x1000, true),
        b
      ),
      /certificate table/,
    ],
  ])('refuses %s with PeFormatError', async (_, mutate, message) => {
    const err = await readPe(mutate(minimal())).catch((e: unknown) => e);
    expect(PeFormatError.isInstance(err)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('refuses more than MAX_PE_SECTIONS sections with LimitExceededError', async () => {
    const b = minimal();
    new DataView(b.buffer).setUint16(0x44 + COFF_NUMBER_OF_SECTIONS, 1000, true);
    const err = await readPe(b).catch((e: unknown) => e);
    expect(LimitExceededError.isInstance(err)).toBe(true);
  });

  it('refuses a section whose raw data runs past the end (truncated PE)', async () => {
    const b = new Uint8Array(0x400);
    b.set(minimal());
    const v = new DataView(b.buffer);
    v.setUint16(0x44 + COFF_NUMBER_OF_SECTIONS, 1, true);
    const sec = 0x58 + 240;
    b.set(new TextEncoder().encode('.linux'), sec);
    v.setUint32(sec + 8, 0x1000, true);
    v.setUint32(sec + 12, 0x1000, true);
    v.setUint32(sec + 16, 0x400, true);
    v.setUint32(sec + 20, 0x200, true);
    const err = await readPe(b).catch((e: unknown) => e);
    expect(PeFormatError.isInstance(err)).toBe(true);
    expect((err as Error).message).toMatch(/past the end.*truncated/);
    v.setUint32(sec + 16, 0x200, true);
    expect((await readPe(b)).sections[0]).toMatchObject({ name: '.linux', dataSize: 0x200, headerOffset: sec });
    expect(sec + SECTION_HEADER_SIZE).toBeLessThanOrEqual(0x200);
  });
});
