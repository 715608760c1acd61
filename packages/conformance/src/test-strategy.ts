import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AlreadyAttachedError,
  DEFAULT_DIGEST_SPEC,
  MetalayerError,
  PayloadNotFoundError,
  verifyPayload,
  type AttachResult,
  type BootPayload,
  type ImageLocation,
  type MetaLayerStrategy,
  type PayloadKind,
  type StrategyContext,
} from '@metalayer/core';
import { copyImage, openLayout, RegistryClient, RegistryStore, resolveImage } from '@metalayer/oci';
import { createVerifyDependencies, payloadFingerprint } from '@metalayer/strategy-kit';
import { countingStore } from '@metalayer/test-fixtures';
import { haveTools, run, startDockerRegistry, useTempDir, type TestRegistry } from '@metalayer/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_TAG, writeBaseImage, type BaseImage } from './fixtures/base-image';
import { containerView } from './fixtures/container-view';
import { haveStub, makeBlsPayload, makeUkiPayload } from './fixtures/payloads';

/** Options of {@link testStrategy}. */
export interface TestStrategyOptions {
  /** Makes a fresh strategy instance (called once per case group). */
  create: () => MetaLayerStrategy;
}

/** Tag the suite points at attached images. */
const ATTACHED_TAG = 'attached';

const makePayload = (kind: PayloadKind, dir: string, seed: string): Promise<BootPayload> =>
  kind === 'uki' ? makeUkiPayload(dir, `${seed}-uki`) : makeBlsPayload(dir, `${seed}-bls`);

async function blobSnapshot(layoutDir: string): Promise<Map<string, string>> {
  const dir = join(layoutDir, 'blobs', 'sha256');
  const out = new Map<string, string>();
  for (const name of await readdir(dir)) out.set(name, (await readFile(join(dir, name))).toString('base64'));
  return out;
}

/**
 * The conformance suite every strategy package runs: `testStrategy({ create })`
 * in one of its `*.test.ts` files (a meta-test fails when a strategy package
 * does not). Cases a strategy cannot support are chosen from its own
 * capability flags, so the flags are tested too.
 */
export function testStrategy(options: TestStrategyOptions): void {
  const probe = options.create();
  const tools = haveStub() && haveTools('umoci', 'skopeo', 'docker-registry');

  describe.skipIf(!tools)(`strategy ${probe.name}: conformance`, () => {
    const tmp = useTempDir(`conformance-${probe.name}-`);
    let base: BaseImage;
    let registry: TestRegistry;
    let layoutCount = 0;
    const ctx: StrategyContext = { tempDir: tmp };
    const deps = createVerifyDependencies();

    /** A fresh copy of the base layout, so cases never see each other's writes. */
    const freshLayout = async (): Promise<string> => {
      const dir = join(tmp, `layout-${layoutCount++}`);
      await cp(base.dir, dir, { recursive: true });
      return dir;
    };
    const attachIn = async (dir: string, payload: BootPayload): Promise<{ result: AttachResult; image: ImageLocation }> => {
      const store = await openLayout(dir);
      const result = await options.create().attach(ctx, {
        image: { store, reference: BASE_TAG },
        tag: ATTACHED_TAG,
        payload,
        digest: DEFAULT_DIGEST_SPEC,
      });
      return { result, image: { store, reference: result.image.digest } };
    };

    beforeAll(async () => {
      base = await writeBaseImage(join(tmp, 'base'));
      registry = await startDockerRegistry();
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('declares a name, a summary and a payload kind', () => {
      expect(probe.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(probe.summary.length).toBeGreaterThan(10);
      expect(probe.capabilities.payloadKinds.length).toBeGreaterThan(0);
    });

    it('finds nothing on an image without a payload: detect is false, locate throws PayloadNotFoundError', async () => {
      const image = { store: base.store, reference: BASE_TAG };
      expect(await probe.detect(ctx, image)).toBe(false);
      const error = await probe.locate(ctx, image).catch((e: unknown) => e);
      expect(PayloadNotFoundError.isInstance(error)).toBe(true);
    });

    describe.each(probe.capabilities.payloadKinds.map((k) => [k]))('%s payload', (kind) => {
      let dir: string;
      let payload: BootPayload;
      let attached: { result: AttachResult; image: ImageLocation };
      let baseDigest: string;

      beforeAll(async () => {
        dir = await freshLayout();
        payload = await makePayload(kind, tmp, 'first');
        attached = await attachIn(dir, payload);
        const store = await openLayout(dir);
        const [value] = await deps.computeBootableDigests(ctx, store, await resolveImage(store, BASE_TAG), [DEFAULT_DIGEST_SPEC]);
        baseDigest = value!.hex;
      });

      it('locate returns exactly the attached payload, and detect sees it', async () => {
        const strategy = options.create();
        expect(await strategy.detect(ctx, attached.image)).toBe(true);
        const located = await strategy.locate(ctx, attached.image);
        expect(located.strategy).toBe(strategy.name);
        expect(await payloadFingerprint(located.payload)).toBe(await payloadFingerprint(attached.result.payload));
        expect(located.image.descriptor.digest).toBe(attached.result.image.digest);
      });

      it("names the base image's bootable digest on the command line, and verify recomputes it", async () => {
        expect(attached.result.composefsDigest).toEqual({ ...DEFAULT_DIGEST_SPEC, hex: baseDigest });
        const located = await options.create().locate(ctx, attached.image);
        const report = await verifyPayload(ctx, attached.image.store, located, deps);
        expect(report.problems).toEqual([]);
        expect(report.ok).toBe(true);
        expect(report.matched?.hex).toBe(baseDigest);
      });

      it('keeps every other command-line argument', async () => {
        const located = await options.create().locate(ctx, attached.image);
        const named = await deps.readComposefsDigests(located.payload);
        expect(named.map((n) => n.text)).toEqual([`composefs.digest=v1-sha512-12:${baseDigest}`]);
        if (located.payload.kind === 'bls') expect(located.payload.options).toContain('console=ttyS0 rw quiet');
      });

      it('reads the base once: every base layer is streamed exactly once, to the end', async () => {
        const store = await openLayout(await freshLayout());
        const counted = countingStore(store);
        const { layers } = (await resolveImage(store, BASE_TAG)).manifest;
        await options.create().attach(ctx, { image: { store: counted.store, reference: BASE_TAG }, payload, digest: DEFAULT_DIGEST_SPEC });
        expect(layers.length).toBeGreaterThan(1);
        for (const layer of layers) {
          expect(counted.opened.get(layer.digest), layer.digest).toBe(1);
          expect(counted.bytesRead.get(layer.digest), layer.digest).toBe(layer.size);
        }
      });

      it('leaves the base image and every one of its blobs untouched', async () => {
        const before = await blobSnapshot(base.dir);
        const after = await blobSnapshot(dir);
        for (const [name, content] of before) expect(after.get(name), name).toBe(content);
        const store = await openLayout(dir);
        expect((await store.getManifest(BASE_TAG)).descriptor.digest).toBe(base.manifest.digest);
      });

      it('changes the image digest exactly when its capabilities say so', () => {
        expect(attached.result.image.digest !== base.manifest.digest).toBe(probe.capabilities.changesImageDigest);
      });

      it('is deterministic: the same inputs give the same digests', async () => {
        const again = await attachIn(await freshLayout(), payload);
        expect(again.result.image.digest).toBe(attached.result.image.digest);
        expect(again.result.artifact?.digest).toBe(attached.result.artifact?.digest);
        expect(again.result.composefsDigest).toEqual(attached.result.composefsDigest);
        expect(again.result.added.map((d) => d.digest).sort()).toEqual(attached.result.added.map((d) => d.digest).sort());
      });

      it('attaching twice is refused or idempotent, as its capabilities say', async () => {
        const store = await openLayout(dir);
        const twice = options.create().attach(ctx, {
          image: { store, reference: probe.capabilities.changesImageDigest ? ATTACHED_TAG : BASE_TAG },
          tag: `${ATTACHED_TAG}-again`,
          payload,
          digest: DEFAULT_DIGEST_SPEC,
        });
        if (probe.capabilities.reattach === 'refuse') {
          const error = await twice.catch((e: unknown) => e);
          expect(AlreadyAttachedError.isInstance(error)).toBe(true);
        } else {
          const result = await twice;
          expect(result.image.digest).toBe(attached.result.image.digest);
          expect(result.artifact?.digest).toBe(attached.result.artifact?.digest);
          const other = await makePayload(kind, tmp, 'other');
          const error = await options
            .create()
            .attach(ctx, { image: { store, reference: BASE_TAG }, payload: other, digest: DEFAULT_DIGEST_SPEC })
            .catch((e: unknown) => e);
          expect(AlreadyAttachedError.isInstance(error)).toBe(true);
        }
      });

      it('shows or hides the kernel in the container view (umoci unpack) as its capabilities say', async () => {
        const baseView = await containerView(base.dir, BASE_TAG, join(tmp, `bundle-base-${kind}`));
        const tag = probe.capabilities.changesImageDigest ? ATTACHED_TAG : BASE_TAG;
        const view = await containerView(dir, tag, join(tmp, `bundle-attached-${kind}`));
        if (probe.capabilities.hidesKernelFromContainer) {
          expect(view).toEqual(baseView);
        } else {
          const added = view.filter((line) => !baseView.includes(line));
          expect(added.some((line) => line.startsWith('/boot/'))).toBe(true);
          expect(added.every((line) => line.startsWith('/boot'))).toBe(true);
        }
      });

      it('survives a copy to a real registry, where verify passes again', async () => {
        const repo = `conformance/${probe.name}-${kind}`;
        const remote = new RegistryStore(new RegistryClient({ registry: registry.host, scheme: 'http' }), repo);
        const source = await openLayout(dir);
        if (probe.capabilities.needsReferrers) {
          await copyImage(source, attached.result.image.digest, remote, { tag: ATTACHED_TAG, referrers: true });
        } else {
          run('skopeo', [
            'copy',
            '--quiet',
            '--dest-tls-verify=false',
            '--preserve-digests',
            `oci:${dir}:${ATTACHED_TAG}`,
            `docker://${registry.host}/${repo}:${ATTACHED_TAG}`,
          ]);
        }
        const image = { store: remote, reference: ATTACHED_TAG };
        const located = await options.create().locate(ctx, image);
        const report = await verifyPayload(ctx, remote, located, deps);
        expect(report.ok).toBe(true);
        expect(report.image.digest).toBe(attached.result.image.digest);
      });

      it('rejects a tampered payload blob with a typed error', async () => {
        const tampered = await freshLayout();
        const { result } = await attachIn(tampered, payload);
        const located = await options.create().locate(ctx, { store: await openLayout(tampered), reference: result.image.digest });
        const blob = located.origin.kind === 'layer' ? located.origin.layer : located.origin.blobs[0]!;
        const path = join(tampered, 'blobs', 'sha256', blob.digest.slice('sha256:'.length));
        const bytes = await readFile(path);
        const middle = bytes.length >> 1;
        bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
        await writeFile(path, bytes);
        const store = await openLayout(tampered);
        const error = await options
          .create()
          .locate(ctx, { store, reference: result.image.digest })
          .then((l) => verifyPayload(ctx, store, l, deps))
          .catch((e: unknown) => e);
        expect(MetalayerError.isInstance(error)).toBe(true);
      });
    });
  });
}
