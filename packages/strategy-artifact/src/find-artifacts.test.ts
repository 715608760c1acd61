import { join } from 'node:path';
import {
  AmbiguousPayloadError,
  InvalidArgumentError,
  PayloadNotFoundError,
  type BlsPayload,
  type ImageStore,
  type StrategyContext,
  type UkiPayload,
} from '@metalayer/core';
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload, writeBaseImage } from '@metalayer/conformance';
import { copyImage, encodeJson, type ImageManifest } from '@metalayer/oci';
import { payloadFingerprint, sha256OfSource } from '@metalayer/strategy-kit';
import { readAllBytes } from '@metalayer/boot';
import { useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createArtifactStrategy } from './artifact-strategy';
import { attachTo, baseLayouts, layout, putRawArtifact, readIndexJson, text } from './test-support/artifact-fixtures';
import { wrapStore } from './test-support/wrapped-store';

const strategy = createArtifactStrategy();
const errorOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

/** A copy of an artifact manifest with one more annotation: a different digest for the same payload. */
async function putTwin(store: ImageStore, digest: string, note: string): Promise<string> {
  const { parsed } = await store.getManifest(digest);
  if (parsed.kind !== 'manifest') throw new Error('expected a manifest');
  const twin: ImageManifest = { ...parsed.manifest, annotations: { ...parsed.manifest.annotations, 'org.example.note': note } };
  return (await store.putManifest(encodeJson(twin))).digest;
}

describe.skipIf(!haveStub())('artifact strategy: finding the artifact among referrers', () => {
  const tmp = useTempDir('strategy-artifact-find-');
  const ctx: StrategyContext = { tempDir: tmp };
  const layouts = baseLayouts(tmp);
  let uki: UkiPayload;
  let bls: BlsPayload;

  beforeAll(async () => {
    await layouts.setup();
    uki = await makeUkiPayload(tmp, 'find');
    bls = await makeBlsPayload(tmp, 'find');
  });

  it.each(['uki', 'bls'] as const)(
    'locates the %s payload it attached, from the subject image, with the digest hint as a claim',
    async (kind) => {
      const store = await layout(await layouts.fresh());
      const result = await attachTo(tmp, store, kind === 'uki' ? uki : bls);
      const image = { store, reference: BASE_TAG };
      expect(await strategy.detect(ctx, image)).toBe(true);
      const located = await strategy.locate(ctx, image);
      expect(await payloadFingerprint(located.payload)).toBe(await payloadFingerprint(result.payload));
      expect(located.payload).toMatchObject({ kind, kernelVersion: '6.99.0-conformance' });
      if (located.payload.kind === 'bls') expect(located.payload).toMatchObject({ title: bls.title, osRelease: bls.osRelease });
      expect(located.image.descriptor.digest).toBe(layouts.base().manifest.digest);
      expect(located.origin).toMatchObject({ kind: 'artifact', manifest: result.artifact });
      expect(located.claims).toEqual({ 'composefs.merged.bootable.erofs.v1.fsverity-sha512-12': result.composefsDigest.hex });
    },
  );

  it('picks the lowest manifest digest among artifacts that carry the same payload, downloading each blob once', async () => {
    const store = await layout(await layouts.fresh());
    const result = await attachTo(tmp, store, bls);
    const twins = [
      result.artifact!.digest,
      await putTwin(store, result.artifact!.digest, 'job 2'),
      await putTwin(store, result.artifact!.digest, 'job 3'),
    ];
    const lowest = [...twins].sort()[0]!;
    const wrapped = wrapStore(store);
    const located = await strategy.locate(ctx, { store: wrapped, reference: BASE_TAG });
    expect(located.origin.kind === 'artifact' && located.origin.manifest.digest).toBe(lowest);
    expect(await payloadFingerprint(located.payload)).toBe(await payloadFingerprint(result.payload));
    // Each payload blob is read once: the twins were compared by their manifests alone.
    const layers = result.added.slice(1, -1).map((d) => d.digest);
    expect(layers).toHaveLength(5);
    expect(wrapped.blobReads.filter((d) => layers.includes(d)).sort()).toEqual([...layers].sort());
  });

  it('refuses to choose between artifacts that disagree, and lets --artifact pin either one', async () => {
    const store = await layout(await layouts.fresh());
    const result = await attachTo(tmp, store, uki);
    const foreignUki = text('not the same kernel');
    const rival = await putRawArtifact(store, layouts.base().manifest, [{ role: 'uki', title: 'rival.efi', content: foreignUki }]);
    const image = { store, reference: BASE_TAG };
    const error = await errorOf(strategy.locate(ctx, image));
    expect(AmbiguousPayloadError.isInstance(error)).toBe(true);
    expect((error as AmbiguousPayloadError).candidates).toEqual([result.artifact!.digest, rival.digest].sort());
    expect((error as Error).message).toContain('their payload files differ');

    const pinned = await strategy.locate(ctx, image, { artifact: rival.digest });
    expect(pinned.payload.kind === 'uki' && pinned.payload.uki.name).toBe('rival.efi');
    expect(pinned.payload.kind === 'uki' && Buffer.from(await readAllBytes(pinned.payload.uki.data)).toString()).toBe(
      'not the same kernel',
    );
    const ours = await strategy.locate(ctx, image, { artifact: result.artifact!.digest });
    expect(await payloadFingerprint(ours.payload)).toBe(await payloadFingerprint(result.payload));
  });

  it('names the differing kinds when a uki and a bls artifact compete', async () => {
    const store = await layout(await layouts.fresh());
    await attachTo(tmp, store, uki);
    await putRawArtifact(store, layouts.base().manifest, [{ role: 'kernel', title: 'vmlinuz', content: text('k') }], { kind: 'bls' });
    const error = await errorOf(strategy.locate(ctx, { store, reference: BASE_TAG }));
    expect(AmbiguousPayloadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('payload kinds differ: bls, uki');
  });

  it('refuses a pin that is not one of our artifacts referring to the image', async () => {
    const store = await layout(await layouts.fresh());
    const result = await attachTo(tmp, store, uki);
    const signature = await putRawArtifact(store, layouts.base().manifest, [{ role: 'uki', title: 'sig', content: text('sig') }], {
      artifactType: 'application/vnd.example.signature.v1',
    });
    const image = { store, reference: BASE_TAG };
    const cases: [string, string][] = [
      [layouts.base().manifest.digest, 'not application/vnd.dev.metalayer.boot.v1'],
      [signature.digest, 'has artifact type "application/vnd.example.signature.v1"'],
      [`sha256:${'ab'.repeat(32)}`, 'is not in oci:'],
    ];
    for (const [digest, reason] of cases) {
      const error = await errorOf(strategy.locate(ctx, image, { artifact: digest }));
      expect(PayloadNotFoundError.isInstance(error), digest).toBe(true);
      expect((error as Error).message).toContain(reason);
    }
    expect(InvalidArgumentError.isInstance(await errorOf(strategy.locate(ctx, image, { artifact: 'latest' })))).toBe(true);
    expect((await strategy.locate(ctx, image, { artifact: result.artifact!.digest })).strategy).toBe('artifact');
  });

  it('ignores referrers of other artifact types (signatures), for locate, detect and attach', async () => {
    const store = await layout(await layouts.fresh());
    const image = { store, reference: BASE_TAG };
    await putRawArtifact(store, layouts.base().manifest, [{ role: 'uki', title: 'sig', content: text('sig') }], {
      artifactType: 'application/vnd.example.signature.v1',
    });
    expect(await strategy.detect(ctx, image)).toBe(false);
    expect(PayloadNotFoundError.isInstance(await errorOf(strategy.locate(ctx, image)))).toBe(true);
    const result = await attachTo(tmp, store, uki);
    const located = await strategy.locate(ctx, image);
    expect(located.origin.kind === 'artifact' && located.origin.manifest.digest).toBe(result.artifact!.digest);
    expect((await readIndexJson(store.path)).manifests).toHaveLength(3);
  });

  it('ignores artifacts whose subject is another image, even when a referrers list claims otherwise', async () => {
    const dir = await layouts.fresh();
    const other = await writeBaseImage(join(tmp, 'other-image'), 1);
    const store = await layout(dir);
    await copyImage(other.store, BASE_TAG, store, { tag: 'other' });
    const foreign = await attachTo(tmp, store, uki, 'other');
    const image = { store, reference: BASE_TAG };
    expect(await strategy.detect(ctx, image)).toBe(false);
    // A fallback index is written by clients, so it can list anything: the subject in the manifest decides.
    const lines: string[] = [];
    const lying = wrapStore(store, [{ ...foreign.artifact!, annotations: {} }]);
    const error = await errorOf(strategy.locate({ ...ctx, log: (m) => lines.push(m) }, { store: lying, reference: BASE_TAG }));
    expect(PayloadNotFoundError.isInstance(error)).toBe(true);
    expect(lines.join('\n')).toContain(
      `${foreign.artifact!.digest} refers to ${foreign.image.digest}, not to the image ${layouts.base().manifest.digest}`,
    );
    const pinned = await errorOf(strategy.locate(ctx, image, { artifact: foreign.artifact!.digest }));
    expect(PayloadNotFoundError.isInstance(pinned)).toBe(true);
    // Attaching to the base image is not blocked by the other image's artifact.
    const ours = await attachTo(tmp, store, uki);
    expect(ours.artifact!.digest).not.toBe(foreign.artifact!.digest);
    const located = await strategy.locate(ctx, { store: lying, reference: BASE_TAG });
    expect(located.origin.kind === 'artifact' && located.origin.manifest.digest).toBe(ours.artifact!.digest);
    expect(await sha256OfSource((located.payload as UkiPayload).uki.data)).toBe(ours.added[1]!.digest);
  });
});
