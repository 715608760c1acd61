import { join } from 'node:path';
import {
  AlreadyAttachedError,
  verifyPayload,
  type BlsPayload,
  type ImageStore,
  type StrategyContext,
  type UkiPayload,
} from '@metalayer/core';
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload, writeBaseImage } from '@metalayer/conformance';
import { copyImage, encodeJson, fallbackTag, MediaType, openLayout, RegistryClient, RegistryStore } from '@metalayer/oci';
import { createVerifyDependencies, payloadFingerprint } from '@metalayer/strategy-kit';
import {
  haveTools,
  run,
  startDockerRegistry,
  startFakeRegistry,
  useTempDir,
  type FakeRegistry,
  type TestRegistry,
} from '@metalayer/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACT_TYPE } from './artifact-media-types';
import { createArtifactStrategy } from './artifact-strategy';
import { attachTo, baseLayouts, layout, putRawArtifact, readIndexJson } from './test-support/artifact-fixtures';

const strategy = createArtifactStrategy();
const errorOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );
const remoteStore = (host: string, repo: string): RegistryStore =>
  new RegistryStore(new RegistryClient({ registry: host, scheme: 'http' }), repo);

describe.skipIf(!(haveStub() && haveTools('docker-registry', 'skopeo')))('artifact strategy: registries', () => {
  const tmp = useTempDir('strategy-artifact-registry-');
  const ctx: StrategyContext = { tempDir: tmp };
  const layouts = baseLayouts(tmp);
  let docker: TestRegistry;
  let fake: FakeRegistry;
  let uki: UkiPayload;
  let bls: BlsPayload;

  beforeAll(async () => {
    await layouts.setup();
    uki = await makeUkiPayload(tmp, 'registry');
    bls = await makeBlsPayload(tmp, 'registry');
    docker = await startDockerRegistry();
    fake = await startFakeRegistry();
  });
  afterAll(async () => {
    await docker?.stop();
    await fake?.stop();
  });

  /** Attaches `payload` in a fresh layout and copies the image with its referrers to `dest` under tag v1. */
  async function attachAndPush(payload: UkiPayload | BlsPayload, dest: ImageStore) {
    const store = await layout(await layouts.fresh());
    const result = await attachTo(tmp, store, payload);
    const copied = await copyImage(store, result.image.digest, dest, { tag: 'v1', referrers: true });
    expect(copied.referrers.map((r) => r.digest)).toEqual([result.artifact!.digest]);
    return result;
  }

  it('round-trips through docker-registry 2.8 with the sha256-<hex> fallback tag, image untouched', async () => {
    const remote = remoteStore(docker.host, 'artifact/fallback');
    const result = await attachAndPush(uki, remote);
    const base = layouts.base().manifest.digest;
    expect(await remote.listTags()).toEqual(expect.arrayContaining(['v1', fallbackTag(base)]));
    const fallback = await remote.getManifest(fallbackTag(base));
    expect(fallback.parsed.kind === 'index' && fallback.parsed.index.manifests).toEqual([
      {
        mediaType: MediaType.imageManifest,
        digest: result.artifact!.digest,
        size: result.artifact!.size,
        artifactType: ARTIFACT_TYPE,
        annotations: expect.objectContaining({ 'dev.metalayer.payload.kind': 'uki' }),
      },
    ]);
    const image = { store: remote, reference: 'v1' };
    expect(await strategy.detect(ctx, image)).toBe(true);
    const located = await strategy.locate(ctx, image);
    expect(await payloadFingerprint(located.payload)).toBe(await payloadFingerprint(result.payload));
    expect(located.image.descriptor.digest).toBe(base);
    // skopeo sees the image exactly as it was.
    const raw = run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${docker.host}/artifact/fallback:v1`]).stdout;
    expect(Buffer.from(raw).equals(Buffer.from((await layouts.base().store.getManifest(BASE_TAG)).parsed.bytes))).toBe(true);
    // And back into a layout: the artifact becomes an untagged index.json entry again.
    const back = join(tmp, 'back-from-docker');
    await copyImage(remote, 'v1', await openLayout(back, { create: true }), { tag: BASE_TAG, referrers: true });
    const entries = (await readIndexJson(back)).manifests;
    expect(entries.map((e) => [e.digest, e.artifactType, e.annotations?.['org.opencontainers.image.ref.name']])).toEqual([
      [base, undefined, BASE_TAG],
      [result.artifact!.digest, ARTIFACT_TYPE, undefined],
    ]);
    expect(await payloadFingerprint((await strategy.locate(ctx, { store: await layout(back), reference: BASE_TAG })).payload)).toBe(
      await payloadFingerprint(result.payload),
    );
  });

  it('attaches straight into docker-registry: idempotent without a duplicate fallback entry, refuses another payload', async () => {
    const remote = remoteStore(docker.host, 'artifact/direct');
    await copyImage(layouts.base().store, BASE_TAG, remote, { tag: 'v1' });
    const first = await attachTo(tmp, remote, bls, 'v1');
    const again = await attachTo(tmp, remote, bls, 'v1');
    expect(again.artifact).toEqual(first.artifact);
    const fallback = await remote.getManifest(fallbackTag(first.image.digest));
    expect(fallback.parsed.kind === 'index' && fallback.parsed.index.manifests.map((m) => m.digest)).toEqual([first.artifact!.digest]);
    const error = await errorOf(attachTo(tmp, remote, uki, 'v1'));
    expect(AlreadyAttachedError.isInstance(error)).toBe(true);
    expect((error as AlreadyAttachedError).existing).toContain(first.artifact!.digest);
    const located = await strategy.locate(ctx, { store: remote, reference: 'v1' });
    expect(await payloadFingerprint(located.payload)).toBe(await payloadFingerprint(first.payload));
  });

  it('ignores an entry of the fallback index whose manifest refers to another image', async () => {
    const remote = remoteStore(docker.host, 'artifact/lying');
    const result = await attachAndPush(uki, remote);
    const other = await writeBaseImage(join(tmp, 'other'), 2);
    await copyImage(other.store, BASE_TAG, remote, { tag: 'other' });
    const stray = await putRawArtifact(remote, other.manifest, [
      { role: 'uki', title: 'stray.efi', content: new TextEncoder().encode('stray') },
    ]);
    // Anyone can write the fallback tag: list the stray artifact under the base image too.
    const tag = fallbackTag(result.image.digest);
    const current = await remote.getManifest(tag);
    if (current.parsed.kind !== 'index') throw new Error('expected an index');
    const index = { ...current.parsed.index, manifests: [...current.parsed.index.manifests, { ...stray, annotations: {} }] };
    await remote.putManifest(encodeJson(index), { tag, mediaType: MediaType.imageIndex });
    const lines: string[] = [];
    const located = await strategy.locate({ ...ctx, log: (m) => lines.push(m) }, { store: remote, reference: 'v1' });
    expect(located.origin.kind === 'artifact' && located.origin.manifest.digest).toBe(result.artifact!.digest);
    expect(lines.join('\n')).toContain(`${stray.digest} refers to ${other.manifest.digest}`);
  });

  it('round-trips through a registry with the referrers API (no fallback tag), and on to docker-registry', async () => {
    const remote = remoteStore(fake.host, 'artifact/api');
    const result = await attachAndPush(bls, remote);
    expect(await remote.listTags()).toEqual(['v1']);
    fake.log.length = 0;
    const located = await strategy.locate(ctx, { store: remote, reference: 'v1' });
    expect(fake.log).toContain(
      `GET /v2/artifact/api/referrers/${result.image.digest}?${new URLSearchParams({ artifactType: ARTIFACT_TYPE })}`,
    );
    expect(await payloadFingerprint(located.payload)).toBe(await payloadFingerprint(result.payload));
    const report = await verifyPayload(ctx, remote, located, createVerifyDependencies());
    expect(report.problems).toEqual([]);
    expect(report.matched).toEqual(result.composefsDigest);
    // API → fallback: copy on to the registry without the API.
    const onward = remoteStore(docker.host, 'artifact/from-api');
    await copyImage(remote, 'v1', onward, { tag: 'v1', referrers: true });
    expect(await onward.listTags()).toContain(fallbackTag(result.image.digest));
    expect(await payloadFingerprint((await strategy.locate(ctx, { store: onward, reference: 'v1' })).payload)).toBe(
      await payloadFingerprint(result.payload),
    );
  });

  it('attaches straight into a registry with the referrers API: idempotent, one referrer', async () => {
    const remote = remoteStore(fake.host, 'artifact/api-direct');
    await copyImage(layouts.base().store, BASE_TAG, remote, { tag: 'v1' });
    const first = await attachTo(tmp, remote, uki, 'v1');
    await attachTo(tmp, remote, uki, 'v1');
    expect(await remote.listTags()).toEqual(['v1']);
    expect((await remote.listReferrers(first.image.digest)).map((r) => r.digest)).toEqual([first.artifact!.digest]);
    expect(AlreadyAttachedError.isInstance(await errorOf(attachTo(tmp, remote, bls, 'v1')))).toBe(true);
    expect((await strategy.locate(ctx, { store: remote, reference: 'v1' }, { artifact: first.artifact!.digest })).strategy).toBe(
      'artifact',
    );
  });
});
