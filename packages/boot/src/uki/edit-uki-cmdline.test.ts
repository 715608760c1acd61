import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveTools, prngBytes, run, useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { writeSourceFile } from '../node/write-source-file';
import { haveBootFixtures, sameBytes, stubPath, TEST_OS_RELEASE } from '../test-support/fixtures';
import { objdumpSections } from '../test-support/objdump';
import { buildUki } from './build-uki';
import { editUkiCmdline, setUkiComposefsDigest } from './edit-uki-cmdline';
import { inspectUki } from './inspect-uki';
import { readUki, ukiCmdlines } from './read-uki';

const HEX = '7'.repeat(128);

describe.skipIf(!haveBootFixtures() || !haveTools('objdump', 'sbverify', 'openssl'))('editing UKI command lines', () => {
  const dir = useTempDir('metalayer-edit-');
  const linux = prngBytes('not a real kernel', 20_000);

  it('inserts a missing .cmdline after .osrel; objdump reads the result', async () => {
    const built = await buildUki({ stub: readFileSync(stubPath), linux, osRelease: TEST_OS_RELEASE, uname: '6.1.0-x' });
    const edited = await setUkiComposefsDigest(built.source, { algorithm: 'sha512', hex: HEX });
    const out = join(dir, 'inserted.efi');
    await writeSourceFile(out, edited.source);
    const names = objdumpSections(out).map((s) => s.name);
    expect(names.slice(8)).toEqual(['.osrel', '.cmdline', '.uname', '.linux']);
    const summary = await inspectUki(readFileSync(out));
    expect(summary.cmdlines).toEqual([
      {
        profile: undefined,
        cmdline: `composefs.digest=v1-sha512-12:${HEX}`,
        composefs: [{ version: 'v1', algorithm: 'sha512', hex: HEX, insecure: false, form: 'digest' }],
      },
    ]);
    expect(summary).toMatchObject({ isUki: true, signed: false, uname: '6.1.0-x', osRelease: { ID: 'mltest', VERSION_ID: '42' } });
    const linuxSection = summary.sections.find((s) => s.name === '.linux')!;
    expect(sameBytes(readFileSync(out).subarray(linuxSection.pointerToRawData, linuxSection.pointerToRawData + linux.length), linux)).toBe(
      true,
    );
  });

  it('edits a UKI assembled with objcopy (fixed VMAs, symbol table kept) as in qemu-boot.md', async () => {
    const write = (name: string, data: string | Uint8Array) => {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    };
    const out = join(dir, 'objcopy-uki.efi');
    run('objcopy', [
      '--add-section',
      `.osrel=${write('osrel', 'ID=t\nVERSION_ID=1\n')}`,
      '--change-section-vma',
      '.osrel=0x1a000',
      '--add-section',
      `.cmdline=${write('cmdline', 'console=ttyS0 quiet')}`,
      '--change-section-vma',
      '.cmdline=0x1b000',
      '--add-section',
      `.linux=${write('linux', linux)}`,
      '--change-section-vma',
      '.linux=0x1c000',
      stubPath,
      out,
    ]);
    const before = await readUki(readFileSync(out));
    expect(before.pe.symbolTable).toBeDefined();
    const edited = await setUkiComposefsDigest(before.source, { algorithm: 'sha512', hex: HEX, form: 'legacy' });
    const path = join(dir, 'objcopy-edited.efi');
    await writeSourceFile(path, edited.source);
    const theirs = objdumpSections(path);
    expect(theirs.map((x) => x.name).slice(8)).toEqual(['.osrel', '.cmdline', '.linux']);
    expect(theirs[8]!.vma).toBe(0x1a000);
    const after = await inspectUki(readFileSync(path));
    expect(after.cmdlines[0]!.cmdline).toBe(`console=ttyS0 quiet composefs=${HEX}`);
    const l = after.sections.find((x) => x.name === '.linux')!;
    expect(sameBytes(readFileSync(path).subarray(l.pointerToRawData, l.pointerToRawData + linux.length), linux)).toBe(true);
    run('objcopy', ['-O', 'binary', '--only-section=.cmdline', path, join(dir, 'cmdline.out')]);
    expect(readFileSync(join(dir, 'cmdline.out'), 'utf8')).toBe(`console=ttyS0 quiet composefs=${HEX}`);
  });

  it('edits every .cmdline of a multi-profile UKI and keeps the profiles', async () => {
    const built = await buildUki({
      stub: readFileSync(stubPath),
      linux,
      cmdline: 'quiet composefs=' + '1'.repeat(64),
      uname: null,
      profiles: [
        { profile: 'ID=default\nTITLE=Default\n' },
        { profile: 'ID=debug\nTITLE="Debug shell"\n', sections: [{ name: '.cmdline', content: 'debug composefs=' + '1'.repeat(64) }] },
      ],
    });
    const seen: (number | undefined)[] = [];
    const edited = await editUkiCmdline(built.source, (current, profile) => {
      seen.push(profile);
      return current!.replace('1'.repeat(64), '2'.repeat(64));
    });
    expect(seen).toEqual([undefined, 1]);
    const uki = await readUki(edited.source);
    expect(uki.profiles.map((p) => [p.id, p.title])).toEqual([
      ['default', 'Default'],
      ['debug', 'Debug shell'],
    ]);
    expect(await ukiCmdlines(uki)).toEqual([
      { profile: 0, cmdline: 'quiet composefs=' + '2'.repeat(64) },
      { profile: 1, cmdline: 'debug composefs=' + '2'.repeat(64) },
    ]);
    const out = join(dir, 'profiles.efi');
    await writeSourceFile(out, edited.source);
    expect(
      objdumpSections(out)
        .map((s) => s.name)
        .slice(8),
    ).toEqual(['.cmdline', '.linux', '.profile', '.profile', '.cmdline']);
  });

  it('writes a signed result with writeSourceFile({ sign })', async () => {
    const key = join(dir, 'k.key');
    const cert = join(dir, 'k.crt');
    run('openssl', [
      'req',
      '-new',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=metalayer edit test/',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    const built = await buildUki({ stub: readFileSync(stubPath), linux, cmdline: 'quiet' });
    const edited = await editUkiCmdline(built.source, 'quiet composefs=' + '3'.repeat(64));
    const out = join(dir, 'signed.efi');
    await writeSourceFile(out, edited.source, { sign: { key, cert } });
    expect(run('sbverify', ['--cert', cert, out]).code).toBe(0);
    expect((await inspectUki(readFileSync(out))).signed).toBe(true);
  });
});
