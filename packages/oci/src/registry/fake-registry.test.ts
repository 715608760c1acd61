import { join } from 'node:path';
import { readdir, writeFile } from 'node:fs/promises';
import { DigestMismatchError } from '@metalayer/core';
import { useTempDir, startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '@metalayer/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { copyImage } from '../copy/copy-image';
import { digestOf } from '../digest';
import { ManifestFormatError, NetworkError, RegistryError } from '../errors/index';
import { openLayout } from '../layout/layout-store';
import { MediaType } from '../media-types';
import { putTestArtifact, putTestImage } from '../test-support/image-fixtures';
import { parseAuthChallenge } from './auth';
import { detectReferrersApi } from './referrers';
import { RegistryClient } from './registry-client';
import { RegistryStore } from './registry-store';

const enc = new TextEncoder();

describe('registry client against the in-repo fake (referrers API, auth, faults)', () => {
  const tmp = useTempDir();
  let fake: FakeRegistry | undefined;
  let n = 0;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });
  async function setup(options: FakeRegistryOptions = {}, client: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) {
    fake = await startFakeRegistry(options);
    const store = new RegistryStore(new RegistryClient({ registry: fake.host, scheme: 'http', backoffMs: 1, ...client }), 'ns/app');
    const layout = await openLayout(join(tmp, `l${n++}`), { create: true });
    return { store, layout, fake };
  }

  it('uses the referrers API when the registry has it: OCI-Subject, filtering, paging, no fallback tag', async () => {
    const { store, layout, fake } = await setup({ pageSize: 2 });
    const image = await putTestImage(layout, { tag: 'v1' });
    await copyImage(layout, 'v1', store, { tag: 'v1' });
    expect(await detectReferrersApi(store)).toBe(true);
    const types = ['application/vnd.example.a', 'application/vnd.example.b', 'application/vnd.example.a'];
    const made = [];
    for (const [i, artifactType] of types.entries())
      made.push(await putTestArtifact(store, image.manifest, { artifactType, payload: enc.encode(`p${i}`) }));
    expect(store.referrersApi).toBe(true);
    expect(await store.listTags()).toEqual(['v1']);
    const all = await store.listReferrers(image.manifest.digest);
    expect(all.map((d) => d.digest).sort()).toEqual(made.map((m) => m.descriptor.digest).sort());
    expect(fake.log.some((l) => l.includes('page=2'))).toBe(true);
    const onlyA = await store.listReferrers(image.manifest.digest, { artifactType: 'application/vnd.example.a' });
    expect(onlyA.map((d) => d.artifactType)).toEqual(['application/vnd.example.a', 'application/vnd.example.a']);
    // copy with referrers into a layout and back into another repository through the API
    const back = await openLayout(join(tmp, 'api-back'), { create: true });
    const copied = await copyImage(store, 'v1', back, { tag: 'v1', referrers: true });
    expect(copied.referrers).toHaveLength(3);
    expect((await back.listReferrers(image.manifest.digest)).length).toBe(3);
  });

  it('falls back to the tag schema when the route is missing (404 text/plain)', async () => {
    const { store, layout } = await setup({ referrers: false });
    const image = await putTestImage(layout, { tag: 'v1' });
    await copyImage(layout, 'v1', store, { tag: 'v1' });
    expect(await detectReferrersApi(store)).toBe(false);
    const art = await putTestArtifact(store, image.manifest);
    expect((await store.listTags()).sort()).toEqual([`sha256-${image.manifest.digest.slice(7)}`, 'v1'].sort());
    expect((await store.listReferrers(image.manifest.digest)).map((d) => d.digest)).toEqual([art.descriptor.digest]);
  });

  it.each(['basic', 'bearer'] as const)('authenticates with %s through the WWW-Authenticate challenge', async (scheme) => {
    const auth = { scheme, username: 'u', password: 'p:w' };
    const { store, layout } = await setup({ auth }, { credentials: { username: 'u', password: 'p:w' } });
    await store.client.ping();
    await putTestImage(layout, { tag: 'v1' });
    await copyImage(layout, 'v1', store, { tag: 'v1' });
    expect(await store.listTags()).toEqual(['v1']);
    const anonymous = new RegistryStore(new RegistryClient({ registry: fake!.host, scheme: 'http' }), 'ns/app');
    const refused = await anonymous.listTags().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(RegistryError.isInstance(refused)).toBe(true);
    await expect(anonymous.client.ping()).rejects.toSatisfy(RegistryError.isInstance);
  });

  it('parses challenges with quoted commas', () => {
    expect(parseAuthChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull,push' },
    });
  });

  it('retries 503 and 429 with backoff', async () => {
    const { store, fake } = await setup({ failFirst: 3 });
    expect(await store.listTags()).toEqual([]);
    expect(fake.log.length).toBe(4);
  });

  it('a registry serving corrupt blobs: typed error, destination layout unchanged', async () => {
    const { store, layout } = await setup({ corruptBlobs: true });
    await putTestImage(layout, { tag: 'v1' });
    await copyImage(layout, 'v1', store, { tag: 'v1' });
    const dest = await openLayout(join(tmp, 'corrupt-dest'), { create: true });
    const error = await copyImage(store, 'v1', dest, { tag: 'v1' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(DigestMismatchError.isInstance(error), String(error)).toBe(true);
    expect(await readdir(join(dest.path, 'blobs/sha256'))).toEqual([]);
    expect(await readdir(join(dest.path, 'ingest'))).toEqual([]);
    expect((await dest.readIndex()).manifests).toEqual([]);
  });

  it('a connection dropped mid-upload: NetworkError, nothing stored', async () => {
    const { store, layout, fake } = await setup({ dropUploadAfterBytes: 64 * 1024 });
    const big = enc.encode('x'.repeat(1024 * 1024));
    const layer = await layout.putBlob(big);
    const error = await store.putBlob(layout.openBlob(layer), { expected: layer }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(NetworkError.isInstance(error), String(error)).toBe(true);
    expect(fake.blobs.size).toBe(0);
    const chunked = await store.putBlob(big).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(NetworkError.isInstance(chunked), String(chunked)).toBe(true);
    expect(fake.blobs.size).toBe(0);
  });

  it('a corrupt source blob fails the streamed upload with DigestMismatchError, nothing stored', async () => {
    const { store, layout, fake } = await setup();
    const data = enc.encode('y'.repeat(300_000));
    const blob = await layout.putBlob(data);
    await writeFile(join(layout.path, 'blobs/sha256', blob.digest.slice(7)), enc.encode('z'.repeat(300_000)));
    const error = await store.putBlob(layout.openBlob(blob), { expected: blob }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(DigestMismatchError.isInstance(error), String(error)).toBe(true);
    expect(fake.blobs.size).toBe(0);
  });

  it('malformed manifests and lying manifests from a registry give typed errors', async () => {
    const { store, fake } = await setup();
    const junk = Buffer.from('{"schemaVersion":2,"layers":');
    fake.manifests.set(`ns/app@${digestOf(junk)}`, { type: MediaType.imageManifest, body: junk });
    await expect(store.getManifest(digestOf(junk))).rejects.toSatisfy(ManifestFormatError.isInstance);
    const other = Buffer.from('{"schemaVersion":2,"manifests":[]}');
    const claimed = digestOf(enc.encode('something else'));
    fake.manifests.set(`ns/app@${claimed}`, { type: MediaType.imageIndex, body: other });
    await expect(store.getManifest(claimed)).rejects.toSatisfy(DigestMismatchError.isInstance);
  });
});

describe('putArtifact', () => {
  const tmp = useTempDir();
  it('stores an artifact registry 2.8 style and layout style, found as a referrer in both', async () => {
    const { putArtifact } = await import('../store/put-artifact');
    const fake = await startFakeRegistry({ referrers: false });
    try {
      const remote = new RegistryStore(new RegistryClient({ registry: fake.host, scheme: 'http' }), 'a/b');
      const layout = await openLayout(join(tmp, 'l'), { create: true });
      for (const store of [remote, layout]) {
        const image = await putTestImage(store, { tag: 'v1' });
        async function* stream() {
          yield enc.encode('uki bytes');
        }
        const { descriptor, bytes } = await putArtifact(store, {
          artifactType: 'application/vnd.example.uki',
          subject: image.manifest,
          blobs: [
            {
              mediaType: 'application/vnd.example.efi',
              content: stream(),
              digest: digestOf(enc.encode('uki bytes')),
              size: 9,
              annotations: { 'org.opencontainers.image.title': 'k.efi' },
            },
          ],
          annotations: { 'org.example.role': 'kernel' },
        });
        const doc = JSON.parse(new TextDecoder().decode(bytes));
        expect(doc.config).toEqual({
          mediaType: 'application/vnd.oci.empty.v1+json',
          digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
          size: 2,
        });
        expect(doc.subject.digest).toBe(image.manifest.digest);
        expect(await store.listReferrers(image.manifest.digest)).toEqual([
          {
            mediaType: MediaType.imageManifest,
            digest: descriptor.digest,
            size: descriptor.size,
            artifactType: 'application/vnd.example.uki',
            annotations: { 'org.example.role': 'kernel' },
          },
        ]);
      }
    } finally {
      await fake.stop();
    }
  });
});
