import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@metalayer/test-utils';
import { main } from '../cli';
import { buildTestImage } from '@metalayer/test-fixtures';
import { OS_LAYERS } from '@metalayer/test-fixtures';
import { captureIo } from '../test-support/capture-io';

describe('metalayer deploy', () => {
  const dir = useTempDir('cli-deploy-');

  it('deploys, prints the id compute-id prints, and changes nothing the second time', async () => {
    const { reference } = await buildTestImage(
      join(dir, 'l'),
      OS_LAYERS.map((entries) => ({ entries })),
      'v1',
    );
    const repo = join(dir, 'repo');
    const id = captureIo();
    expect(await main(['compute-id', '--bootable', reference], id.io), id.err()).toBe(0);
    const first = captureIo();
    expect(await main(['deploy', reference, '--repo', repo, '--bootable', '--ref', 'os'], first.io), first.err()).toBe(0);
    expect(first.text()).toBe(id.text());
    const hex = id.text().trim();
    expect(readlinkSync(join(repo, 'images', hex))).toBe(`../objects/${hex.slice(0, 2)}/${hex.slice(2)}`);
    const inode = lstatSync(join(repo, 'images', hex)).ino;
    const second = captureIo();
    expect(await main(['deploy', reference, '--repo', repo, '--bootable', '--ref', 'os', '--json'], second.io), second.err()).toBe(0);
    const report = JSON.parse(second.text());
    expect(report).toMatchObject({
      id: hex,
      created: false,
      imageWritten: false,
      imageLinked: false,
      refLinked: false,
      objectsWritten: 0,
      bytesWritten: 0,
    });
    expect(report.karg).toMatch(new RegExp(`^composefs\\.digest=\\??v1-sha512-12:${hex}$`));
    expect(lstatSync(join(repo, 'images', hex)).ino).toBe(inode);
  });

  it('needs --repo and valid flags', async () => {
    const { reference } = await buildTestImage(
      join(dir, 'l'),
      OS_LAYERS.map((entries) => ({ entries })),
      'v2',
    );
    const noRepo = captureIo();
    expect(await main(['deploy', reference], noRepo.io)).toBe(2);
    expect(noRepo.err()).toContain('--repo');
    const badVerity = captureIo();
    expect(await main(['deploy', reference, '--repo', join(dir, 'r2'), '--enable-verity', 'maybe'], badVerity.io)).toBe(2);
    const mismatch = captureIo();
    expect(await main(['deploy', reference, '--repo', join(dir, 'r3'), '--hash', 'sha256'], captureIo().io)).toBe(0);
    expect(await main(['deploy', reference, '--repo', join(dir, 'r3'), '--hash', 'sha512'], mismatch.io)).toBe(3);
    expect(mismatch.err()).toContain('repository uses fs-verity sha256, not sha512');
  });
});
