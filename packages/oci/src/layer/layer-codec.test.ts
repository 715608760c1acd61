import { join } from 'node:path';
import { DigestMismatchError, type StreamHasherFactory } from '@metalayer/core';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { collectBytes, cryptoHasher, digestOf } from '../digest';
import { UnsupportedMediaTypeError } from '../errors/index';
import { openLayout } from '../layout/layout-store';
import { MediaType } from '../media-types';
import { writeTar } from '../tar/tar-writer';
import { defaultLayers } from '../test-support/image-fixtures';
import { compressionOf } from './compression';
import { readLayer, readStoredLayer } from './layer-reader';
import { encodeLayer, putLayer } from './layer-writer';

const all = (s: AsyncIterable<Uint8Array>) => collectBytes(s, 1 << 30, () => new Error('too big'));
async function* once(bytes: Uint8Array) {
  yield bytes;
}
async function names(entries: AsyncIterable<{ header: { name: string }; body: AsyncIterable<Uint8Array> }>) {
  const out: string[] = [];
  for await (const e of entries) out.push(e.header.name);
  return out;
}

describe('layer codecs', () => {
  const tmp = useTempDir();

  it('maps media types to compressions and refuses unknown ones', () => {
    expect(compressionOf(MediaType.layerTarGzip)).toBe('gzip');
    expect(compressionOf(MediaType.dockerLayerTarGzip)).toBe('gzip');
    expect(compressionOf(MediaType.layerNondistributableTarZstd)).toBe('zstd');
    expect(compressionOf(MediaType.layerTar)).toBe('none');
    expect(() => compressionOf('application/vnd.example.blob')).toThrow(
      expect.objectContaining({ mediaType: 'application/vnd.example.blob' }),
    );
    expect(
      UnsupportedMediaTypeError.isInstance(
        (() => {
          try {
            compressionOf('x/y');
          } catch (e) {
            return e;
          }
        })(),
      ),
    ).toBe(true);
  });

  it.skipIf(!haveTools('gzip', 'tar'))('writes deterministic gzip layers that gzip and tar read, with the right diff_id', async () => {
    const store = await openLayout(join(tmp, 'a'), { create: true });
    const [entries] = defaultLayers('det');
    const first = await putLayer(store, entries!);
    const second = await putLayer(store, defaultLayers('det')[0]!);
    expect(second).toEqual(first);
    const blob = await store.readBlob(first.descriptor);
    const tar = run('gzip', ['-dc'], { input: blob }).stdout;
    expect(digestOf(tar)).toBe(first.diffId);
    expect(run('tar', ['-t'], { input: tar }).stdout.toString().trim().split('\n')).toEqual(entries!.map((e) => e.name));
    const read = await names(readStoredLayer(store, first.descriptor, { diffId: first.diffId }));
    expect(read).toEqual(entries!.map((e) => e.name));
  });

  it.skipIf(!haveTools('zstd'))('reads tar+zstd layers made by the zstd tool, multi-frame too', async () => {
    const tar = await all(writeTar(defaultLayers('z')[0]!));
    const frame = run('zstd', ['-q', '-c', '-19'], { input: tar }).stdout;
    const twoFrames = new Uint8Array(
      Buffer.concat([
        run('zstd', ['-q', '-c'], { input: tar.subarray(0, 1024) }).stdout,
        run('zstd', ['-q', '-c'], { input: tar.subarray(1024) }).stdout,
      ]),
    );
    for (const blob of [new Uint8Array(frame), twoFrames]) {
      const entries = readLayer(once(blob), {
        mediaType: MediaType.layerTarZstd,
        expected: { digest: digestOf(blob), size: blob.length },
        diffId: digestOf(tar),
      });
      expect(await names(entries)).toEqual(defaultLayers('z')[0]!.map((e) => e.name));
    }
  });

  it('checks diff_id and compressed digest while streaming, after the last entry', async () => {
    const layer = encodeLayer(defaultLayers('m')[0]!, { compression: 'gzip' });
    const blob = await all(layer.stream);
    const wrongDiff = readLayer(once(blob), { mediaType: MediaType.layerTarGzip, diffId: digestOf(new Uint8Array(1)) });
    const error = await names(wrongDiff).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(DigestMismatchError.isInstance(error)).toBe(true);
    expect((error as DigestMismatchError).subject).toBe('layer: diff_id');
    expect((error as DigestMismatchError).actual).toBe(layer.diffId());
    const tampered = blob.slice();
    tampered[tampered.length - 9]! ^= 1; // gzip CRC32 trailer: decompression itself must fail or the digest must
    const wrongBlob = readLayer(once(tampered), {
      mediaType: MediaType.layerTarGzip,
      expected: { digest: digestOf(blob), size: blob.length },
    });
    await expect(names(wrongBlob)).rejects.toThrow();
  });

  it('computes digests with an injected hasher (once when blob digest and diff_id are one hash) and still verifies', async () => {
    const store = await openLayout(join(tmp, 'hasher'), { create: true });
    const entries = defaultLayers('h')[0]!;
    for (const compression of ['none', 'gzip'] as const) {
      const { descriptor, diffId } = await putLayer(store, entries, { compression });
      const started: string[] = [];
      const counting: StreamHasherFactory = (algorithm) => {
        started.push(algorithm);
        return cryptoHasher(algorithm);
      };
      expect(await names(readStoredLayer(store, descriptor, { diffId, hasher: counting }))).toEqual(entries.map((e) => e.name));
      expect(started).toEqual(compression === 'none' ? ['sha256'] : ['sha256', 'sha256']);
      const lying: StreamHasherFactory = (algorithm) => ({ update: () => undefined, end: async () => `${algorithm}:${'0'.repeat(64)}` });
      const error = await names(readStoredLayer(store, descriptor, { diffId, hasher: lying })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(DigestMismatchError.isInstance(error), String(error)).toBe(true);
      expect(error).toMatchObject({ expected: descriptor.digest });
    }
  });

  it('hashes bytes after the end-of-archive marker into the diff_id', async () => {
    const tar = await all(writeTar([{ name: 'a', type: 'file' }]));
    const padded = new Uint8Array(tar.length + 10240);
    padded.set(tar);
    await expect(names(readLayer(once(padded), { mediaType: MediaType.layerTar, diffId: digestOf(padded) }))).resolves.toEqual(['a']);
    await expect(names(readLayer(once(padded), { mediaType: MediaType.layerTar, diffId: digestOf(tar) }))).rejects.toThrow(/diff_id/);
  });
});
