import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DigestMismatchError } from '@metalayer/core';
import { encodePaxRecord, TarFormatError, type TarWriteEntry } from '@metalayer/oci';
import { useTempDir } from '@metalayer/test-utils';
import { computeImageIds } from '../build/composefs-image';
import { readImageRootfs } from '../build/read-image-rootfs';
import { LayerEntryError, LayerReadError, PathTraversalError } from '../errors/index';
import { buildTestImage, rawTarHeader, tarBytes, TAR_END, type TestLayer } from '@metalayer/test-fixtures';

const enc = new TextEncoder();
const BASE: TarWriteEntry[] = [
  { name: 'usr/', type: 'directory' },
  { name: 'etc/', type: 'directory' },
  { name: 'etc/passwd', type: 'file', body: enc.encode('root:x:0:0::/root:/bin/sh\n'.repeat(4)) },
  { name: 'etc/hostname', type: 'file', body: enc.encode('host\n') },
];

describe('hostile layers get typed errors naming the layer and the path', () => {
  const tmp = useTempDir();
  let n = 0;
  const attempt = async (layers: TestLayer[], semantics: 'composefs-rs' | 'oci-spec' = 'composefs-rs', hashThreads = 0) => {
    const { store, image } = await buildTestImage(`${tmp}/layout`, layers, `h${n++}`);
    return readImageRootfs(store, image, { semantics, hashThreads }).then(
      () => undefined,
      (error: unknown) => error,
    );
  };
  const upper = (entries: TarWriteEntry[]): TestLayer[] => [{ entries: BASE }, { entries, compression: 'gzip' }];

  it('refuses .. in a path and in a hard-link target', async () => {
    const path = await attempt(upper([{ name: 'usr/../../etc/shadow', type: 'file', body: enc.encode('x') }]));
    expect(PathTraversalError.isInstance(path)).toBe(true);
    expect(path).toMatchObject({ layer: 1, field: 'path', path: 'usr/../../etc/shadow' });
    const link = await attempt(upper([{ name: 'usr/shadow', type: 'hardlink', linkname: '../../etc/shadow' }]));
    expect(link).toMatchObject({ layer: 1, field: 'linkname', value: '../../etc/shadow' });
    const absolute = await attempt(upper([{ name: 'usr/shadow', type: 'hardlink', linkname: '/../etc/shadow' }]));
    expect(PathTraversalError.isInstance(absolute)).toBe(true);
    // In the container view too.
    expect(PathTraversalError.isInstance(await attempt(upper([{ name: '../x', type: 'directory' }]), 'oci-spec'))).toBe(true);
  });

  it('resolves an absolute hard-link target inside the image, and refuses a missing one or a directory', async () => {
    expect(await attempt(upper([{ name: 'usr/pw', type: 'hardlink', linkname: '/etc/passwd' }]))).toBeUndefined();
    const missing = await attempt(upper([{ name: 'usr/pw', type: 'hardlink', linkname: '/etc/shadow' }]));
    expect(LayerEntryError.isInstance(missing) && missing.reason).toBe('link-target-missing');
    expect(missing).toMatchObject({ layer: 1, path: 'usr/pw' });
    expect(String((missing as Error).message)).toContain('/etc/shadow');
    const laterInLayer = await attempt(
      upper([
        { name: 'usr/pw', type: 'hardlink', linkname: 'usr/later' },
        { name: 'usr/later', type: 'file' },
      ]),
    );
    expect(LayerEntryError.isInstance(laterInLayer) && laterInLayer.reason).toBe('link-target-missing');
    const directory = await attempt(upper([{ name: 'usr/etc', type: 'hardlink', linkname: 'etc' }]));
    expect(LayerEntryError.isInstance(directory) && directory.reason).toBe('link-target-directory');
    const root = await attempt(upper([{ name: 'usr/root', type: 'hardlink', linkname: './' }]));
    expect(LayerEntryError.isInstance(root) && root.reason).toBe('link-target-invalid');
  });

  it('refuses a missing parent (composefs-rs) and a file where a parent directory should be', async () => {
    const missing = await attempt(upper([{ name: 'var/lib/x', type: 'file' }]));
    expect(LayerEntryError.isInstance(missing) && missing.reason).toBe('missing-parent');
    expect(String((missing as Error).message)).toContain('/var does not exist');
    // The container view creates the parents, as runtimes do.
    expect(await attempt(upper([{ name: 'var/lib/x', type: 'file' }]), 'oci-spec')).toBeUndefined();
    for (const semantics of ['composefs-rs', 'oci-spec'] as const) {
      const file = await attempt(upper([{ name: 'etc/hostname/x', type: 'file' }]), semantics);
      expect(LayerEntryError.isInstance(file) && file.reason).toBe('parent-not-directory');
      expect(file).toMatchObject({ layer: 1, path: 'etc/hostname/x' });
    }
    const whiteoutInMissing = await attempt(upper([{ name: 'nowhere/.wh.x', type: 'file' }]));
    expect(LayerEntryError.isInstance(whiteoutInMissing) && whiteoutInMissing.reason).toBe('missing-parent');
  });

  it('refuses a root entry that is not a directory, oversized device numbers, pre-1970 times and NUL in names', async () => {
    const root = await attempt(upper([{ name: './', type: 'file' }]));
    expect(LayerEntryError.isInstance(root) && root.reason).toBe('root-not-directory');
    const device = await attempt([
      { entries: BASE },
      { raw: new Uint8Array(Buffer.concat([rawTarHeader({ name: 'usr/dev', typeflag: '3', devmajor: 4096, devminor: 0 }), TAR_END])) },
    ]);
    expect(LayerEntryError.isInstance(device) && device.reason).toBe('invalid-device');
    const old = await attempt(upper([{ name: 'usr/old', type: 'file', mtime: -5 }]));
    expect(LayerEntryError.isInstance(old) && old.reason).toBe('invalid-mtime');
    // A NUL can only arrive through a PAX path record.
    const record = encodePaxRecord('path', enc.encode('usr/a\u0000b'));
    const pax = new Uint8Array(512);
    pax.set(record);
    const raw = new Uint8Array(
      Buffer.concat([
        rawTarHeader({ name: 'PaxHeader', typeflag: 'x', size: record.length }),
        pax,
        rawTarHeader({ name: 'usr/x', typeflag: '0' }),
        TAR_END,
      ]),
    );
    const nul = await attempt([{ entries: BASE }, { raw }]);
    expect(LayerEntryError.isInstance(nul) && nul.reason).toBe('invalid-name');
  });

  it('wraps unsupported entry types, truncated tar and truncated gzip in LayerReadError', async () => {
    for (const typeflag of ['V', 'S', 'M']) {
      const raw = new Uint8Array(Buffer.concat([rawTarHeader({ name: 'usr/odd', typeflag }), TAR_END]));
      const error = await attempt([{ entries: BASE }, { raw }]);
      expect(LayerReadError.isInstance(error), `typeflag ${typeflag}: ${String(error)}`).toBe(true);
      expect(TarFormatError.isInstance((error as Error).cause)).toBe(true);
      expect(error).toMatchObject({ layer: 1 });
    }
    const full = await tarBytes([...BASE, { name: 'usr/big', type: 'file', body: new Uint8Array(20_000).fill(1) }]);
    const truncated = await attempt([{ raw: full.subarray(0, 10_000) }]);
    expect(LayerReadError.isInstance(truncated) && TarFormatError.isInstance(truncated.cause)).toBe(true);
    expect(truncated).toMatchObject({ layer: 0 });

    const { store, image } = await buildTestImage(`${tmp}/layout`, [{ raw: full, compression: 'gzip' }], `gz${n++}`);
    const blob = image.manifest.layers[0]!;
    const cut = new Uint8Array(await store.readBlob(blob, blob.size)).subarray(0, Math.floor(blob.size / 2));
    const info = await store.putBlob(cut);
    const broken = { ...image, manifest: { ...image.manifest, layers: [{ ...blob, ...info }] } };
    const gz = await readImageRootfs(store, broken).catch((e: unknown) => e);
    expect(LayerReadError.isInstance(gz), String(gz)).toBe(true);
  });

  it('refuses a layer whose content does not match its diff_id, hashing here or in a worker', async () => {
    const wrong = `sha256:${'ab'.repeat(32)}`;
    for (const hashThreads of [0, 1]) {
      for (const compression of ['gzip', 'none'] as const) {
        const error = await attempt([{ entries: BASE, compression, diffId: wrong }], 'composefs-rs', hashThreads);
        expect(DigestMismatchError.isInstance(error), String(error)).toBe(true);
        expect(String((error as Error).message)).toContain(compression === 'gzip' ? 'diff_id' : 'sha256:');
      }
    }
  });

  it('refuses a stored blob whose bytes changed, hashing here or in a worker', async () => {
    for (const hashThreads of [0, 1]) {
      for (const compression of ['gzip', 'none'] as const) {
        const { store, image } = await buildTestImage(`${tmp}/tampered${n++}`, [{ entries: BASE, compression }]);
        const blob = image.manifest.layers[0]!;
        const path = join(store.path, 'blobs', ...blob.digest.split(':'));
        const bytes = readFileSync(path);
        // A byte of the end-of-archive padding (tar) or of the gzip header's OS field: still readable, other digest.
        bytes[compression === 'gzip' ? 9 : bytes.length - 1]! ^= 1;
        writeFileSync(path, bytes);
        const error = await readImageRootfs(store, image, { hashThreads }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(DigestMismatchError.isInstance(error), String(error)).toBe(true);
        expect(error).toMatchObject({ expected: blob.digest });
      }
    }
  });

  it('computes nothing from an image whose config and manifest disagree on the layer count', async () => {
    const { store, image } = await buildTestImage(`${tmp}/layout`, [{ entries: BASE }], `m${n++}`);
    const broken = { ...image, config: { ...image.config, rootfs: { type: 'layers', diff_ids: [] } } };
    await expect(computeImageIds(store, broken)).rejects.toThrow(/0 diff_ids for 1 layers/);
  });
});
