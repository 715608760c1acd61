import { describe, expect, it } from 'vitest';
import { BlsEntryError, UnsafePathError } from '../errors/index';
import {
  editBlsOptions,
  formatBlsEntry,
  getBlsOptions,
  getBlsValue,
  getBlsValues,
  parseBlsEntry,
  setBlsOptions,
  validateBlsEntry,
} from './bls-entry';
import { checkBootFileName, normalizeBlsPath } from './bls-path';
import { createBlsEntry } from './create-bls-entry';

const FEDORA = `# Boot Loader Specification type#1 entry
title      Fedora 19 (Rawhide)
version    3.8.0-2.fc19.x86_64
machine-id 6a9857a393724b7a981ebb5b8495b9ea
sort-key   fedora
options    root=UUID=6d3376e4-fc93-4509-95ec-a21d68011da2 quiet
options    splash
linux      /6a9857a393724b7a981ebb5b8495b9ea/3.8.0-2.fc19.x86_64/linux
initrd     /6a9857a393724b7a981ebb5b8495b9ea/3.8.0-2.fc19.x86_64/microcode
initrd     /6a9857a393724b7a981ebb5b8495b9ea/3.8.0-2.fc19.x86_64/initrd
`;

describe('BLS Type #1 entries', () => {
  it('parses every key, repeated initrd/options in order, and writes it back verbatim', () => {
    const e = parseBlsEntry(FEDORA);
    expect(getBlsValue(e, 'title')).toBe('Fedora 19 (Rawhide)');
    expect(getBlsValue(e, 'machine-id')).toBe('6a9857a393724b7a981ebb5b8495b9ea');
    expect(getBlsValues(e, 'initrd')).toEqual([
      '/6a9857a393724b7a981ebb5b8495b9ea/3.8.0-2.fc19.x86_64/microcode',
      '/6a9857a393724b7a981ebb5b8495b9ea/3.8.0-2.fc19.x86_64/initrd',
    ]);
    expect(getBlsOptions(e)).toBe('root=UUID=6d3376e4-fc93-4509-95ec-a21d68011da2 quiet splash');
    expect(formatBlsEntry(e)).toBe(FEDORA);
    expect(validateBlsEntry(e)).toBe(e);
  });

  it('edits options: first line replaced, others dropped, rest untouched', () => {
    const e = editBlsOptions(parseBlsEntry(FEDORA), (o) => `${o} composefs=abc`);
    const text = formatBlsEntry(e);
    expect(text).toContain('options    root=UUID=6d3376e4-fc93-4509-95ec-a21d68011da2 quiet splash composefs=abc\nlinux');
    expect(text.match(/^options/gm)).toHaveLength(1);
    expect(text.split('\n').filter((l) => !l.startsWith('options'))).toEqual(FEDORA.split('\n').filter((l) => !l.startsWith('options')));
    const inserted = setBlsOptions(parseBlsEntry('title x\nlinux /a/linux\n'), 'quiet');
    expect(formatBlsEntry(inserted)).toBe('title x\noptions    quiet\nlinux /a/linux\n');
    expect(() => setBlsOptions(inserted, 'a\nlinux /evil')).toThrow(BlsEntryError);
  });

  it('creates entries in kernel-install order and layout', () => {
    const e = createBlsEntry({
      comments: ['Boot Loader Specification type#1 entry'],
      title: 'Test OS',
      version: '6.12.0',
      sortKey: 'test',
      options: 'quiet',
      linux: 'tok/6.12.0/linux',
      initrds: ['/tok/6.12.0/initrd'],
    });
    expect(formatBlsEntry(e)).toBe(
      '# Boot Loader Specification type#1 entry\ntitle      Test OS\nversion    6.12.0\nsort-key   test\noptions    quiet\nlinux      /tok/6.12.0/linux\ninitrd     /tok/6.12.0/initrd\n',
    );
    expect(() => createBlsEntry({ linux: '/a/../b' })).toThrow(UnsafePathError);
    expect(() => createBlsEntry({ title: 'x\ny', linux: '/a' })).toThrow(BlsEntryError);
  });

  it.each([
    ['title x\n', /nothing to boot/],
    ['linux /a/../../etc/shadow\n', /normalised/],
    ['linux /a//b\n', /normalised/],
    ['linux /a/./b\n', /normalised/],
    ['efi \\EFI\\x.efi\n', /normalised/],
    ['linux /a\ninitrd ../x\n', /normalised/],
    ['linux /a\ndevicetree-overlay /o1 /../o2\n', /normalised/],
    ['linux /a\nmachine-id ABC\n', /32 lowercase/],
    ['linux /a\nprofile one\n', /profile number/],
    ['linux /a\narchitecture mips\n', /unknown architecture/],
    ['linux /a\ntitle a\ntitle b\n', /more than once/],
  ])('refuses %j', (text, message) => {
    expect(() => validateBlsEntry(parseBlsEntry(text))).toThrow(message);
  });

  it('accepts uki-only entries (systemd-boot >= 258), unknown keys and CRLF', () => {
    expect(() => validateBlsEntry(parseBlsEntry('uki /EFI/Linux/x.efi\nx-custom whatever\r\n'))).not.toThrow();
    expect(() => parseBlsEntry(new Uint8Array([0x74, 0xff, 0x0a]))).toThrow(BlsEntryError);
  });

  it('normalises paths and checks $BOOT file names', () => {
    expect(normalizeBlsPath('a/b')).toBe('/a/b');
    expect(normalizeBlsPath('/a/b')).toBe('/a/b');
    expect(() => normalizeBlsPath('/a b/c', { strictNames: true })).toThrow(UnsafePathError);
    expect(checkBootFileName('6.12.95+deb12-amd64', 'kernel version')).toBe('6.12.95+deb12-amd64');
    for (const bad of ['', '.', '..', '.hidden', 'a/b', 'a b', 'ä', 'x'.repeat(256)])
      expect(() => checkBootFileName(bad, 'name')).toThrow(UnsafePathError);
  });
});
