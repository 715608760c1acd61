import { bytesSource } from '@metalayer/boot';
import type { PayloadFile } from '@metalayer/core';
import { PayloadFormatError } from '@metalayer/strategy-kit';
import { describe, expect, it } from 'vitest';
import { payloadFromLayer } from './payload-from-layer';

const enc = new TextEncoder();
const files = (entries: Record<string, string>): Map<string, PayloadFile> =>
  new Map(
    Object.entries(entries).map(([path, body]) => [
      path,
      { name: path.slice(path.lastIndexOf('/') + 1), data: bytesSource(enc.encode(body)) },
    ]),
  );

const ENTRY = [
  'title Test OS',
  'version 6.1.0',
  'options rw composefs.digest=v1-sha256-12:' + 'ab'.repeat(32),
  'linux /boot/test/6.1.0/vmlinuz',
  'initrd /boot/test/6.1.0/ucode',
  'initrd /boot/test/6.1.0/initrd',
  '',
].join('\n');
const BLS = {
  'boot/loader/entries/test-6.1.0.conf': ENTRY,
  'boot/test/6.1.0/vmlinuz': 'k',
  'boot/test/6.1.0/ucode': 'u',
  'boot/test/6.1.0/initrd': 'i',
};

describe('payloadFromLayer', () => {
  it('reads a UKI', async () => {
    const { payload, paths } = await payloadFromLayer(files({ 'boot/EFI/Linux/os.efi': 'MZ' }), 'layer');
    expect(payload.kind).toBe('uki');
    expect(payload.kind === 'uki' && payload.uki.name).toBe('os.efi');
    expect(paths).toEqual(['boot/EFI/Linux/os.efi']);
  });

  it('reads a Type #1 entry whose paths start at the image root, initrds in entry order', async () => {
    const { payload, paths } = await payloadFromLayer(files(BLS), 'layer');
    expect(payload).toMatchObject({
      kind: 'bls',
      options: `rw composefs.digest=v1-sha256-12:${'ab'.repeat(32)}`,
      kernelVersion: '6.1.0',
      title: 'Test OS',
    });
    expect(payload.kind === 'bls' && [payload.kernel.name, ...payload.initrds.map((f) => f.name)]).toEqual(['vmlinuz', 'ucode', 'initrd']);
    expect(paths).toEqual([
      'boot/loader/entries/test-6.1.0.conf',
      'boot/test/6.1.0/vmlinuz',
      'boot/test/6.1.0/ucode',
      'boot/test/6.1.0/initrd',
    ]);
  });

  it.each<[string, Record<string, string>]>([
    ['an empty layer', {}],
    ['two UKIs', { 'boot/EFI/Linux/a.efi': 'MZ', 'boot/EFI/Linux/b.efi': 'MZ' }],
    ['a UKI and an entry', { ...BLS, 'boot/EFI/Linux/a.efi': 'MZ' }],
    [
      'a UKI with an addon that could extend its command line',
      { 'boot/EFI/Linux/a.efi': 'MZ', 'boot/EFI/Linux/a.efi.extra.d/x.addon.efi': 'MZ' },
    ],
    ['only an addon', { 'boot/EFI/Linux/x.addon.efi': 'MZ' }],
    ['a UKI in a subdirectory only', { 'boot/EFI/Linux/bootc/a.efi': 'MZ' }],
    ['a UKI plus an unrelated file', { 'boot/EFI/Linux/a.efi': 'MZ', 'boot/grub/grub.cfg': 'x' }],
    [
      'an entry with partition-relative paths (composefs-rs could not resolve them)',
      { ...BLS, 'boot/loader/entries/test-6.1.0.conf': ENTRY.replaceAll('/boot/test', '/test') },
    ],
    ['an entry naming a file the layer lacks', { ...BLS, 'boot/loader/entries/test-6.1.0.conf': ENTRY.replace('/initrd\n', '/missing\n') }],
    ['an entry with an unused file next to it', { ...BLS, 'boot/test/6.1.0/extra': 'e' }],
    ['an entry booting an efi program', { ...BLS, 'boot/loader/entries/test-6.1.0.conf': `${ENTRY}efi /boot/test/6.1.0/vmlinuz\n` }],
    ['an entry without linux', { ...BLS, 'boot/loader/entries/test-6.1.0.conf': 'title x\nuki /boot/test/6.1.0/vmlinuz\n' }],
    [
      'an entry with a .. path',
      { ...BLS, 'boot/loader/entries/test-6.1.0.conf': ENTRY.replace('/boot/test/6.1.0/vmlinuz', '/boot/test/../test/6.1.0/vmlinuz') },
    ],
    ['an entry naming one file twice', { ...BLS, 'boot/loader/entries/test-6.1.0.conf': ENTRY.replace('/ucode', '/initrd') }],
  ])('refuses %s', async (_, layer) => {
    const error = await payloadFromLayer(files(layer), 'layer').catch((e: unknown) => e);
    expect(PayloadFormatError.isInstance(error), String(error)).toBe(true);
  });

  it('refuses an entry that is not UTF-8', async () => {
    const map = files(BLS);
    map.set('boot/loader/entries/test-6.1.0.conf', {
      name: 'test-6.1.0.conf',
      data: bytesSource(new Uint8Array([0x6c, 0x69, 0xff, 0xfe, 0x0a])),
    });
    const error = await payloadFromLayer(map, 'layer').catch((e: unknown) => e);
    expect(PayloadFormatError.isInstance(error), String(error)).toBe(true);
  });
});
