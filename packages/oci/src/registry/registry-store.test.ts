import { join } from 'node:path';
import { haveTools, run, useTempDir, startDockerRegistry, type TestRegistry } from '@metalayer/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyImage } from '../copy/copy-image';
import { collectBytes, digestOf } from '../digest';
import { ManifestNotFoundError, RegistryError } from '../errors/index';
import { openLayout } from '../layout/layout-store';
import { EMPTY_DESCRIPTOR, MediaType } from '../media-types';
import { encodeJson } from '../parse-json';
import { resolveImage } from '../store/resolve-image';
import { putTestArtifact, putTestImage } from '../test-support/image-fixtures';
import { fallbackTag } from './referrers';
import { RegistryClient } from './registry-client';
import { RegistryStore } from './registry-store';

const enc = new TextEncoder();

describe.skipIf(!haveTools('docker-registry', 'skopeo'))('RegistryStore against docker-registry 2.8', () => {
  const tmp = useTempDir();
  let registry: TestRegistry;
  const repo = (name: string) => new RegistryStore(new RegistryClient({ registry: registry.host, scheme: 'http' }), name);
  const skopeoRaw = (ref: string) => run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/${ref}`]).stdout;

  beforeAll(async () => {
    registry = await startDockerRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('pushes an image byte-identically (skopeo sees our bytes) and pulls it back, skipping present blobs', async () => {
    const layout = await openLayout(join(tmp, 'src'), { create: true });
    const image = await putTestImage(layout, { tag: 'v1', annotations: { 'org.example.a': 'b' } });
    const remote = repo('test/push');
    const pushed = await copyImage(layout, 'v1', remote, { tag: 'v1' });
    expect(pushed.manifest.digest).toBe(image.manifest.digest);
    expect(pushed.blobs.map((b) => b.action)).toEqual(['copied', 'copied', 'copied', 'copied']);
    expect(new Uint8Array(skopeoRaw('test/push:v1'))).toEqual(image.manifestBytes);
    expect(await remote.listTags()).toEqual(['v1']);
    const again = await copyImage(layout, 'v1', remote, { tag: 'v1' });
    expect(again.blobs.every((b) => b.action === 'skipped')).toBe(true);
    expect(again.bytesCopied).toBe(0);

    const back = await openLayout(join(tmp, 'back'), { create: true });
    const pulled = await copyImage(remote, 'v1', back, { tag: 'v1' });
    expect(pulled.manifest.digest).toBe(image.manifest.digest);
    const resolved = await resolveImage(back, 'v1');
    expect(resolved.config.rootfs.diff_ids).toEqual(image.diffIds);
    expect(resolved.manifest.annotations).toEqual({ 'org.example.a': 'b' });
    // same registry, other repository: blobs are mounted, not copied
    const mounted = await copyImage(remote, 'v1', repo('test/mounted'), { tag: 'x' });
    expect(mounted.blobs.map((b) => b.action)).toEqual(['mounted', 'mounted', 'mounted', 'mounted']);
  });

  it('uploads a blob of unknown digest in PATCH chunks', async () => {
    const remote = repo('test/chunks');
    remote.chunkSize = 1000;
    const data = new Uint8Array(4321).map((_, i) => (i * 7) & 0xff);
    async function* stream() {
      for (let i = 0; i < data.length; i += 500) yield data.subarray(i, i + 500);
    }
    const info = await remote.putBlob(stream());
    expect(info).toEqual({ digest: digestOf(data), size: data.length });
    expect(await remote.statBlob(info.digest)).toBe(data.length);
    expect(await collectBytes(remote.openBlob(info), 1 << 20, () => new Error('big'))).toEqual(data);
    // An injected hasher computes the digest checked; one that disagrees fails the read.
    const lying = (algorithm: 'sha256' | 'sha512') => ({ update: () => undefined, end: async () => `${algorithm}:${'0'.repeat(64)}` });
    await expect(collectBytes(remote.openBlob(info, undefined, { hasher: lying }), 1 << 20, () => new Error('big'))).rejects.toThrow(
      /sha256:0000/,
    );
    expect(await remote.putBlob(new Uint8Array(0))).toEqual({ digest: digestOf(new Uint8Array(0)), size: 0 });
  });

  it('shows the documented quirks, which the client handles', async () => {
    const layout = await openLayout(join(tmp, 'q'), { create: true });
    const image = await putTestImage(layout, { tag: 'q' });
    const remote = repo('test/quirks');
    await copyImage(layout, 'q', remote, { tag: 'q' });
    const base = `http://${registry.host}/v2/test/quirks`;
    // 1. an OCI manifest is 404 without an OCI Accept header
    const noAccept = await fetch(`${base}/manifests/q`, { headers: { accept: '*/*' } });
    expect(noAccept.status).toBe(404);
    expect(await noAccept.text()).toContain('MANIFEST_UNKNOWN');
    expect((await remote.getManifest('q')).descriptor.digest).toBe(image.manifest.digest);
    // 2. blob PUT without Content-Type: application/octet-stream is parsed as a form
    const blob = enc.encode('form trap');
    const open = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
    const put = await fetch(`${new URL(open.headers.get('location')!, base)}&digest=${digestOf(blob)}`, {
      method: 'PUT',
      body: blob,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(put.status).toBe(400);
    expect(await remote.putBlob(blob, { expected: { digest: digestOf(blob), size: blob.length } })).toEqual({
      digest: digestOf(blob),
      size: blob.length,
    });
    // 3. single-POST upload answers 202 (an upload session), not 201
    const single = await fetch(`${base}/blobs/uploads/?digest=${digestOf(enc.encode('one'))}`, {
      method: 'POST',
      body: enc.encode('one'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(single.status).toBe(202);
    // 4. the empty config blob must exist before an artifact naming it can be pushed
    const artifact = encodeJson({
      schemaVersion: 2,
      mediaType: MediaType.imageManifest,
      artifactType: 'application/vnd.example.x',
      config: EMPTY_DESCRIPTOR,
      layers: [],
      subject: image.manifest,
    });
    const refused = await remote.putManifest(artifact).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(RegistryError.isInstance(refused) && refused.code).toBe('MANIFEST_BLOB_UNKNOWN');
    expect(await remote.listTags()).toEqual(['q']);
  });

  it('maintains the sha256-<hex> fallback tag for artifacts with a subject and reads it back', async () => {
    const layout = await openLayout(join(tmp, 'r'), { create: true });
    const image = await putTestImage(layout, { tag: 'img' });
    const remote = repo('test/referrers');
    await copyImage(layout, 'img', remote, { tag: 'img' });
    const sig = await putTestArtifact(remote, image.manifest, {
      artifactType: 'application/vnd.example.sig',
      annotations: { 'org.example.n': '1' },
    });
    const sbom = await putTestArtifact(remote, image.manifest, {
      artifactType: 'application/vnd.example.sbom',
      payload: enc.encode('{"sbom":true}'),
    });
    await remote.putManifest(sig.bytes); // pushing again must not duplicate the entry
    expect(remote.referrersApi).toBe(false);
    const tag = fallbackTag(image.manifest.digest);
    expect((await remote.listTags()).sort()).toEqual(['img', tag].sort());
    const index = JSON.parse(skopeoRaw(`test/referrers:${tag}`).toString());
    expect(index.manifests).toEqual([
      {
        mediaType: MediaType.imageManifest,
        digest: sig.descriptor.digest,
        size: sig.descriptor.size,
        artifactType: 'application/vnd.example.sig',
        annotations: { 'org.example.n': '1' },
      },
      {
        mediaType: MediaType.imageManifest,
        digest: sbom.descriptor.digest,
        size: sbom.descriptor.size,
        artifactType: 'application/vnd.example.sbom',
        annotations: { 'org.example.kind': 'test' },
      },
    ]);
    const fresh = repo('test/referrers');
    expect((await fresh.listReferrers(image.manifest.digest)).map((d) => d.digest)).toEqual([
      sig.descriptor.digest,
      sbom.descriptor.digest,
    ]);
    expect(fresh.referrersApi).toBe(false);
    expect(
      (await fresh.listReferrers(image.manifest.digest, { artifactType: 'application/vnd.example.sbom' })).map((d) => d.digest),
    ).toEqual([sbom.descriptor.digest]);
    expect(await fresh.listReferrers(digestOf(enc.encode('nothing refers to me')))).toEqual([]);
    await expect(fresh.getManifest('no-such-tag')).rejects.toSatisfy(ManifestNotFoundError.isInstance);
  });
});
