import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTools, prngBytes, useTempDir } from '@metalayer/test-utils';
import { FIRMWARE } from '../qemu/firmware';
import { runTool } from '../tools';
import { buildObjcopyUki, peImageExtent } from './objcopy-uki';

interface Section {
  name: string;
  size: number;
  vma: number;
}

/** Sections as objdump (an independent PE reader) sees them. */
function objdumpSections(path: string): Section[] {
  const out = runTool('objdump', ['-h', path]).stdout.toString();
  return [...out.matchAll(/^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s/gm)].map((m) => ({
    name: m[1]!,
    size: parseInt(m[2]!, 16),
    vma: parseInt(m[3]!, 16),
  }));
}

describe.skipIf(!haveTools('objcopy', 'objdump') || !existsSync(FIRMWARE.stub))('buildObjcopyUki', () => {
  const tmp = useTempDir('metalayer-uki-');

  it('appends .osrel .cmdline .linux .initrd page-aligned after the stub image, without overlap', () => {
    const kernel = join(tmp, 'vmlinuz');
    const initrd = join(tmp, 'initrd');
    writeFileSync(kernel, prngBytes('k', 1_234_567));
    writeFileSync(initrd, prngBytes('i', 54_321));
    const uki = buildObjcopyUki({ out: join(tmp, 'uki.efi'), kernel, initrd, cmdline: 'composefs=abc quiet', osRelease: 'ID=test\n' });
    const sections = objdumpSections(uki.path);
    const added = ['.osrel', '.cmdline', '.linux', '.initrd'].map((n) => sections.find((s) => s.name === n)!);
    expect(added.map((s) => s?.size)).toEqual([8, 19, 1_234_567, 54_321]);
    const { sizeOfImage } = peImageExtent(readFileSync(FIRMWARE.stub));
    expect(added[0]!.vma).toBeGreaterThanOrEqual(sizeOfImage);
    for (const [i, s] of added.entries()) {
      expect(s.vma % 4096).toBe(0);
      if (i > 0) expect(s.vma).toBeGreaterThanOrEqual(added[i - 1]!.vma + added[i - 1]!.size);
    }
    // the stub's own sections are untouched
    for (const s of objdumpSections(FIRMWARE.stub)) expect(sections).toContainEqual(s);
  });

  it('rejects files that are not PE32+', () => {
    expect(() => peImageExtent(new Uint8Array(16))).toThrow(/truncated/);
    const fake = new Uint8Array(512);
    fake[0x3c] = 0x80;
    expect(() => peImageExtent(fake)).toThrow(/no PE signature/);
  });
});
