import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, readAllBytes, sliceSource, streamSource, type ByteSource } from '../bytes/byte-source';
import { PeLayoutError, SignedPeError } from '../errors/index';
import { openFileSource, type FileSource } from '../node/file-source';
import { signPe } from '../node/sign-pe';
import { writeSourceFile } from '../node/write-source-file';
import { readPe } from '../pe/read-pe';
import { haveBootFixtures, kernelPath, kernelRelease, makeCpio, stubPath, TEST_OS_RELEASE } from '../test-support/fixtures';
import { objdumpPrivate, objdumpSections } from '../test-support/objdump';
import { buildUki } from './build-uki';
import { editUkiCmdline } from './edit-uki-cmdline';
import { readUki, readUkiText } from './read-uki';
import { SBAT_HEADER_LINE } from './sbat';

const sha256 = async (s: ByteSource) => {
  const h = createHash('sha256');
  for await (const c of streamSource(s)) h.update(c);
  return h.digest('hex');
};

describe.skipIf(!haveBootFixtures() || !haveTools('objdump', 'sbsign', 'sbverify', 'openssl'))(
  'buildUki with the Debian stub and kernel',
  async () => {
    const dir = useTempDir('metalayer-uki-');
    const initrd = await makeCpio({ init: '#!/bin/sh\necho hello\n', 'etc/hostname': 'test\n' });
    const cmdline = 'console=ttyS0 composefs.digest=v1-sha256-12:' + 'ab'.repeat(32) + ' rw';
    let kernel: FileSource;
    let stub: FileSource;
    const ukiPath = join(dir, 'uki.efi');

    beforeAll(async () => {
      kernel = await openFileSource(kernelPath);
      stub = await openFileSource(stubPath);
      const built = await buildUki({ stub, linux: kernel, initrds: [initrd], cmdline, osRelease: TEST_OS_RELEASE });
      await writeSourceFile(ukiPath, built.source);
    });
    afterAll(async () => {
      await kernel?.close();
      await stub?.close();
    });

    it('lays sections out as objdump -h reads them', async () => {
      const ours = await readPe(readFileSync(ukiPath), { subject: 'uki.efi' });
      const theirs = objdumpSections(ukiPath);
      expect(theirs.map((s) => s.name)).toEqual(ours.sections.map((s) => s.name));
      expect(theirs.map((s) => s.name)).toEqual([
        '.text',
        '.reloc',
        '.data',
        '.dynamic',
        '.rela',
        '.dynsym',
        '.sbat',
        '.sdmagic',
        '.osrel',
        '.cmdline',
        '.uname',
        '.initrd',
        '.linux',
      ]);
      for (const [i, s] of ours.sections.entries()) {
        expect(theirs[i]!.vma).toBe(s.virtualAddress);
        expect(theirs[i]!.fileOffset).toBe(s.pointerToRawData);
        expect(theirs[i]!.size).toBe(s.dataSize);
      }
      // Placed sections: SectionAlignment-aligned, ascending, non-overlapping in memory and file.
      const added = ours.sections.slice(8);
      for (let i = 1; i < added.length; i++) {
        const prev = added[i - 1]!;
        const cur = added[i]!;
        expect(cur.virtualAddress % ours.sectionAlignment).toBe(0);
        expect(cur.virtualAddress).toBeGreaterThanOrEqual(prev.virtualAddress + prev.virtualSize);
        expect(cur.pointerToRawData % ours.fileAlignment).toBe(0);
        expect(cur.pointerToRawData).toBeGreaterThanOrEqual(prev.pointerToRawData + prev.sizeOfRawData);
      }
      const p = objdumpPrivate(ukiPath);
      const last = ours.sections.at(-1)!;
      expect(p.SizeOfImage).toBe(Math.ceil((last.virtualAddress + last.virtualSize) / ours.sectionAlignment) * ours.sectionAlignment);
      expect(p.CheckSum).toBe(0);
      expect(ours.symbolTable).toBeUndefined();
      expect(ours.pointerToSymbolTable).toBe(0);
    });

    it('keeps the stub sections byte-identical and gives .linux the kernel SizeOfImage', async () => {
      const stubPe = await readPe(stub, { subject: 'stub' });
      const uki = await readUki(readFileSync(ukiPath));
      for (const s of stubPe.sections) {
        const mine = uki.pe.sections[s.index]!;
        expect(mine).toMatchObject({
          name: s.name,
          virtualAddress: s.virtualAddress,
          virtualSize: s.virtualSize,
          pointerToRawData: s.pointerToRawData,
        });
        expect(await sha256(sliceSource(uki.source, mine.pointerToRawData, mine.sizeOfRawData))).toBe(
          await sha256(sliceSource(stub, s.pointerToRawData, s.sizeOfRawData)),
        );
      }
      const kernelPe = await readPe(kernel, { subject: 'kernel' });
      const linux = uki.pe.sections.find((s) => s.name === '.linux')!;
      expect(linux.virtualSize).toBe(kernelPe.sizeOfImage);
      expect(await sha256(sliceSource(uki.source, linux.pointerToRawData, kernel.size))).toBe(await sha256(kernel));
      const initrdSection = uki.pe.sections.find((s) => s.name === '.initrd')!;
      expect(await readAllBytes(sliceSource(uki.source, initrdSection.pointerToRawData, initrdSection.dataSize))).toEqual(initrd);
      expect(await readUkiText(uki, '.cmdline')).toBe(cmdline);
      expect(await readUkiText(uki, '.osrel')).toBe(TEST_OS_RELEASE);
      expect(await readUkiText(uki, '.uname')).toBe(kernelRelease());
      expect(uki.signed).toBe(false);
    });

    it('matches the section contents objcopy extracts', () => {
      for (const [name, expected] of [
        ['.cmdline', cmdline],
        ['.osrel', TEST_OS_RELEASE],
      ] as const) {
        const out = join(dir, `extract${name}`);
        run('objcopy', ['-O', 'binary', `--only-section=${name}`, ukiPath, out]);
        expect(readFileSync(out, 'utf8')).toBe(expected);
      }
    });

    it('signs with sbsign and verifies with sbverify; a signed UKI is not edited', async () => {
      const key = join(dir, 'db.key');
      const cert = join(dir, 'db.crt');
      run('openssl', [
        'req',
        '-new',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=metalayer test db/',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
      ]);
      expect(
        run('sbverify', ['--list', ukiPath], { allowFailure: true }).stdout.toString() +
          run('sbverify', ['--list', ukiPath], { allowFailure: true }).stderr,
      ).toMatch(/No signature table present/);
      const signed = join(dir, 'uki.signed.efi');
      await signPe(ukiPath, signed, { key, cert });
      expect(run('sbverify', ['--cert', cert, signed]).code).toBe(0);
      const uki = await readUki(readFileSync(signed));
      expect(uki.signed).toBe(true);
      expect(await readUkiText(uki, '.cmdline')).toBe(cmdline);
      await expect(editUkiCmdline(readFileSync(signed), 'quiet')).rejects.toSatisfy(SignedPeError.isInstance);
      // A different certificate does not verify.
      const other = join(dir, 'other.crt');
      run('openssl', [
        'req',
        '-new',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=other/',
        '-days',
        '1',
        '-keyout',
        join(dir, 'other.key'),
        '-out',
        other,
      ]);
      expect(run('sbverify', ['--cert', other, signed], { allowFailure: true }).code).not.toBe(0);
    });

    it('rewrites .cmdline of the unsigned UKI, moving only the sections after it', async () => {
      const before = await readUki(readFileSync(ukiPath));
      const longer = `${cmdline} ${'x'.repeat(5000)}`;
      const edited = await editUkiCmdline(before.source, (current) => `${current} ${'x'.repeat(5000)}`);
      expect(edited.changed).toBe(true);
      const out = join(dir, 'edited.efi');
      await writeSourceFile(out, edited.source);
      const after = await readUki(readFileSync(out));
      expect(await readUkiText(after, '.cmdline')).toBe(longer);
      expect(objdumpSections(out).map((s) => s.name)).toEqual(before.pe.sections.map((s) => s.name));
      for (const s of before.pe.sections) {
        const n = after.pe.sections[s.index]!;
        if (s.name === '.cmdline') continue;
        expect(await sha256(sliceSource(after.source, n.pointerToRawData, n.dataSize))).toBe(
          await sha256(sliceSource(before.source, s.pointerToRawData, s.dataSize)),
        );
        if (s.index < before.pe.sections.findIndex((x) => x.name === '.cmdline'))
          expect(n).toMatchObject({ virtualAddress: s.virtualAddress, pointerToRawData: s.pointerToRawData });
        expect(n.virtualSize).toBe(s.virtualSize);
      }
      const unchanged = await editUkiCmdline(before.source, cmdline);
      expect(unchanged.changed).toBe(false);
    });

    it('merges SBAT in place when it fits and refuses when it does not', async () => {
      const merged = await buildUki({ stub, linux: kernel, cmdline: 'quiet', sbat: 'merge', sbatLines: `${SBAT_HEADER_LINE}\n` });
      const uki = await readUki(merged.source);
      expect(uki.pe.sections.filter((s) => s.name === '.sbat')).toHaveLength(1);
      expect(await readUkiText(uki, '.sbat')).toMatch(/^sbat,1,SBAT Version,.*\nsystemd,1,/s);
      // ukify's default line makes the stub's .sbat overflow into .sdmagic's address: refused, not overlapped.
      await expect(buildUki({ stub, linux: kernel, sbat: 'merge' })).rejects.toSatisfy(PeLayoutError.isInstance);
    });

    it('refuses a signed stub', async () => {
      const key = join(dir, 'db.key');
      const cert = join(dir, 'db.crt');
      const signedStub = join(dir, 'stub.signed');
      await signPe(stubPath, signedStub, { key, cert });
      await expect(buildUki({ stub: readFileSync(signedStub), linux: bytesSource(new Uint8Array(16)) })).rejects.toSatisfy(
        SignedPeError.isInstance,
      );
    });
  },
);
