import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@metalayer/test-utils';
import type { EspFile } from '../disks/esp';
import { type1BootFiles, type2BootFiles } from './boot-entries';
import { directBootFromEntry } from './direct-boot-from-entry';

function writeFiles(root: string, files: readonly EspFile[]): void {
  for (const f of files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'bytes' in f.source ? f.source.bytes : readFileSync(f.source.hostPath));
  }
}

describe('boot entries and their direct-boot equivalent', () => {
  const tmp = useTempDir('metalayer-entries-');
  writeFileSync(join(tmp, 'vmlinuz'), 'KERNEL');
  writeFileSync(join(tmp, 'initrd'), 'INITRD');

  it('lays out a Type #1 entry like kernel-install and reads it back as a direct boot', async () => {
    const entry = type1BootFiles({
      token: 'tok',
      kernelVersion: '6.12.0-1',
      kernel: join(tmp, 'vmlinuz'),
      initrd: join(tmp, 'initrd'),
      options: 'console=ttyS0 composefs=ab',
    });
    expect(entry.entry).toBe('tok-6.12.0-1.conf');
    expect(entry.files.map((f) => f.path)).toEqual(['/tok/6.12.0-1/linux', '/tok/6.12.0-1/initrd', '/loader/entries/tok-6.12.0-1.conf']);
    const root = join(tmp, 'boot1');
    writeFiles(root, entry.files);
    const boot = await directBootFromEntry(root, join(root, 'loader/entries', entry.entry), tmp);
    expect(boot).toEqual({
      kind: 'direct',
      kernel: join(root, 'tok/6.12.0-1/linux'),
      initrd: join(root, 'tok/6.12.0-1/initrd'),
      append: 'console=ttyS0 composefs=ab',
    });
  });

  it('concatenates several initrds on 4-byte boundaries', async () => {
    const root = join(tmp, 'boot2');
    writeFiles(root, [
      { path: '/k/linux', source: { bytes: 'K' } },
      { path: '/k/a', source: { bytes: 'AAAAA' } },
      { path: '/k/b', source: { bytes: 'BB' } },
      { path: '/loader/entries/e.conf', source: { bytes: 'title t\nlinux /k/linux\ninitrd /k/a\ninitrd /k/b\noptions x=1\n' } },
    ]);
    const boot = await directBootFromEntry(root, join(root, 'loader/entries/e.conf'), tmp);
    expect(readFileSync(boot.initrd!, 'latin1')).toBe('AAAAA\0\0\0BB\0\0');
  });

  it('refuses entry paths that leave the boot root', async () => {
    const root = join(tmp, 'boot3');
    writeFiles(root, [{ path: '/loader/entries/e.conf', source: { bytes: 'linux /../../etc/passwd\n' } }]);
    await expect(directBootFromEntry(root, join(root, 'loader/entries/e.conf'), tmp)).rejects.toThrow(/leaves the boot root/);
  });

  it('puts a Type #2 UKI under /EFI/Linux', () => {
    expect(type2BootFiles({ token: 'tok', kernelVersion: '6.12', uki: '/x.efi' })).toEqual({
      entry: 'tok-6.12.efi',
      files: [{ path: '/EFI/Linux/tok-6.12.efi', source: { hostPath: '/x.efi' } }],
    });
  });
});
