import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prngBytes, useTempDir } from '@metalayer/test-utils';
import { fsverityDigest } from '../fsverity/fsverity-hasher';
import { toHex } from '../util/hex';
import { ComposefsRepository, objectName } from './composefs-repository';
import { RepositoryError } from './repository-error';
import { formatRepositoryMeta, parseRepositoryMeta } from './repository-meta';

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return RepositoryError.isInstance(error) ? error.reason : String(error);
  }
  return 'no error';
};

describe('meta.json', () => {
  it('is what cfsctl init writes', () => {
    expect(formatRepositoryMeta('sha256', 0)).toBe(
      '{\n  "version": 1,\n  "algorithm": "fsverity-sha256-12",\n  "features": {\n    "compatible": [],\n    "read-only-compatible": [],\n    "incompatible": []\n  },\n  "erofs_formats": {\n    "default": 0\n  }\n}\n',
    );
    expect(parseRepositoryMeta(formatRepositoryMeta('sha512', 1), 'm')).toMatchObject({
      algorithm: 'sha512',
      erofsVersion: 1,
      readOnlyCompatible: ['v1_erofs'],
    });
  });

  it('reads older repositories as composefs-rs does', () => {
    // No erofs_formats: V2, unless the legacy v1_erofs flag says V1.
    expect(parseRepositoryMeta('{"version":1,"algorithm":"fsverity-sha512-12"}', 'm').erofsVersion).toBe(2);
    expect(
      parseRepositoryMeta('{"version":1,"algorithm":"fsverity-sha512-12","features":{"read-only-compatible":["v1_erofs"]}}', 'm')
        .erofsVersion,
    ).toBe(1);
    expect(
      parseRepositoryMeta('{"version":1,"algorithm":"fsverity-sha256-12","erofs_formats":{"default":1,"extra":[2]}}', 'm')
        .extraErofsVersions,
    ).toEqual([2]);
  });

  it('refuses what composefs-rs refuses', () => {
    expect(reasonOf(() => parseRepositoryMeta('{"version":2,"algorithm":"fsverity-sha512-12"}', 'm'))).toBe('unsupported-version');
    expect(reasonOf(() => parseRepositoryMeta('{"version":1,"algorithm":"fsverity-sha512-13"}', 'm'))).toBe('invalid-metadata');
    expect(
      reasonOf(() => parseRepositoryMeta('{"version":1,"algorithm":"fsverity-sha512-12","features":{"incompatible":["x"]}}', 'm')),
    ).toBe('incompatible-features');
    expect(reasonOf(() => parseRepositoryMeta('not json', 'm'))).toBe('invalid-metadata');
    expect(
      parseRepositoryMeta('{"version":1,"algorithm":"fsverity-sha512-12","features":{"read-only-compatible":["future"]}}', 'm')
        .unknownReadOnlyFeatures,
    ).toEqual(['future']);
  });
});

describe('ComposefsRepository', () => {
  const tmp = useTempDir();

  it('stores objects under objects/xx/<rest>, once, and links images', async () => {
    const dir = join(tmp, 'r1');
    const repo = await ComposefsRepository.open(dir, { create: true, algorithm: 'sha256', verity: 'no' });
    const data = prngBytes('7', 10_000);
    const { digest, status } = await repo.writeObject([data.subarray(0, 3000), data.subarray(3000)]);
    expect(toHex(digest)).toBe(toHex(fsverityDigest(data, 'sha256')));
    expect(status).toBe('written');
    expect(readFileSync(join(dir, 'objects', objectName(digest)))).toEqual(Buffer.from(data));
    expect(lstatSync(join(dir, 'objects', objectName(digest))).mode & 0o777).toBe(0o644);
    expect((await repo.writeObject([data])).status).toBe('present');
    expect(await repo.linkImage(digest)).toBe(true);
    expect(await repo.linkImage(digest)).toBe(false);
    expect(readlinkSync(join(dir, 'images', toHex(digest)))).toBe(`../objects/${objectName(digest)}`);
    expect(await repo.addImageRef('a/b/c', digest)).toBe(true);
    expect(readlinkSync(join(dir, 'images/refs/a/b/c'))).toBe(`../../../../images/${toHex(digest)}`);
    expect(lstatSync(join(dir)).mode & 0o777).toBe(0o700);
  });

  it('discards an image its accept callback refuses: no object, no images/ link', async () => {
    const dir = join(tmp, 'r-accept');
    const repo = await ComposefsRepository.open(dir, { create: true, algorithm: 'sha256', verity: 'no' });
    const data = prngBytes('refused', 9000);
    const refusal = new Error('not the expected image');
    await expect(
      repo.writeImage([data], {
        accept: () => {
          throw refusal;
        },
      }),
    ).rejects.toBe(refusal);
    const digest = fsverityDigest(data, 'sha256');
    expect(existsSync(join(dir, 'objects', objectName(digest)))).toBe(false);
    expect(existsSync(join(dir, 'images', toHex(digest)))).toBe(false);
    const seen: string[] = [];
    await repo.writeImage([data], { accept: (d) => void seen.push(toHex(d)) });
    expect(seen).toEqual([toHex(digest)]);
    expect(readlinkSync(join(dir, 'images', toHex(digest)))).toBe(`../objects/${objectName(digest)}`);
  });

  it('leaves no trace when staged content turns out to be present (anonymous staging)', async () => {
    const dir = join(tmp, 'r2');
    const data = prngBytes('8', 5000);
    await (await ComposefsRepository.open(dir, { create: true, verity: 'no' })).writeObject([data]);
    const repo = await ComposefsRepository.open(dir, { verity: 'no' });
    const objects = join(dir, 'objects');
    const before = lstatSync(objects, { bigint: true });
    const writer = await repo.createObjectWriter();
    await writer.write(data);
    expect(await writer.commit(fsverityDigest(data, 'sha512'))).toBe('present');
    const after = lstatSync(objects, { bigint: true });
    expect([after.mtimeNs, after.ctimeNs]).toEqual([before.mtimeNs, before.ctimeNs]);
    // Content that is new is copied from the unnamed staging file into place.
    const fresh = prngBytes('9', 70_000);
    const w2 = await repo.createObjectWriter();
    await w2.write(fresh);
    const d2 = fsverityDigest(fresh, 'sha512');
    expect(await w2.commit(d2)).toBe('written');
    expect(readFileSync(join(objects, objectName(d2)))).toEqual(Buffer.from(fresh));
  });

  it('commits the same content from two writers once', async () => {
    const repo = await ComposefsRepository.open(join(tmp, 'r3'), { create: true, verity: 'no' });
    const data = prngBytes('10', 20_000);
    const digest = fsverityDigest(data, 'sha512');
    const writers = await Promise.all([repo.createObjectWriter(), repo.createObjectWriter()]);
    for (const w of writers) await w.write(data);
    const results = await Promise.all(writers.map((w) => w.commit(digest)));
    expect(results.sort()).toEqual(['present', 'written']);
  });

  it('refuses to open what it may not write', async () => {
    const legacy = join(tmp, 'legacy');
    mkdirSync(join(legacy, 'objects/ab'), { recursive: true });
    writeFileSync(join(legacy, 'objects/ab/cd'), 'x');
    await expect(ComposefsRepository.open(legacy, { create: true })).rejects.toMatchObject({ reason: 'legacy-layout' });
    const v2 = join(tmp, 'v2');
    mkdirSync(v2);
    writeFileSync(join(v2, 'meta.json'), '{"version":1,"algorithm":"fsverity-sha512-12"}');
    await expect(ComposefsRepository.open(v2, { verity: 'no' })).rejects.toMatchObject({ reason: 'format-mismatch' });
    const ro = join(tmp, 'ro');
    mkdirSync(ro);
    writeFileSync(
      join(ro, 'meta.json'),
      '{"version":1,"algorithm":"fsverity-sha512-12","features":{"read-only-compatible":["v1_erofs","future"]}}',
    );
    await expect(ComposefsRepository.open(ro, { verity: 'no' })).rejects.toMatchObject({ reason: 'read-only' });
    await expect(ComposefsRepository.open(join(tmp, 'absent'))).rejects.toMatchObject({ reason: 'invalid-metadata' });
  });
});
