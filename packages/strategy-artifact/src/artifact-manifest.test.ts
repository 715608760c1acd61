import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AlreadyAttachedError, DEFAULT_DIGEST_SPEC, InvalidArgumentError, type BlsPayload, type UkiPayload } from '@metalayer/core';
import { BASE_TAG, haveStub, makeBlsPayload, makeUkiPayload } from '@metalayer/conformance';
import { sha256OfSource } from '@metalayer/strategy-kit';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createArtifactStrategy } from './artifact-strategy';
import { attachTo, baseLayouts, layout, readIndexJson, redact } from './test-support/artifact-fixtures';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe.skipIf(!(haveStub() && haveTools('umoci', 'skopeo')))('artifact strategy: the bytes it writes', () => {
  const tmp = useTempDir('strategy-artifact-bytes-');
  const layouts = baseLayouts(tmp);
  let uki: UkiPayload;
  let bls: BlsPayload;

  beforeAll(async () => {
    await layouts.setup();
    uki = await makeUkiPayload(tmp, 'bytes');
    bls = await makeBlsPayload(tmp, 'bytes');
  });

  it('writes this exact manifest for a UKI: empty config, one uki layer, subject = the image, kind and digest annotations', async () => {
    const store = await layout(await layouts.fresh());
    const result = await attachTo(tmp, store, uki);
    expect(result.payload.kind).toBe('uki');
    const sealed = await sha256OfSource((result.payload as UkiPayload).uki.data);
    expect(sealed).not.toBe(await sha256OfSource(uki.uki.data));
    const stored = await store.getManifest(result.artifact!.digest);
    const names = new Map([
      [layouts.base().manifest.digest, 'base manifest'],
      [sealed, 'sealed conformance.efi'],
      [`"size":${(result.payload as UkiPayload).uki.data.size}`, '"size": UKI size (depends on the systemd stub)'],
      [result.composefsDigest.hex, 'bootable digest'],
    ]);
    expect(redact(decode(stored.parsed.bytes), names)).toMatchInlineSnapshot(
      `"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.dev.metalayer.boot.v1","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.dev.metalayer.boot.uki.v1","digest":"<sealed conformance.efi>",<"size": UKI size (depends on the systemd stub)>,"annotations":{"org.opencontainers.image.title":"conformance.efi","dev.metalayer.payload.role":"uki"}}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"<base manifest>","size":623},"annotations":{"dev.metalayer.strategy":"artifact","dev.metalayer.payload.kind":"uki","dev.metalayer.kernel.version":"6.99.0-conformance","composefs.merged.bootable.erofs.v1.fsverity-sha512-12":"<bootable digest>"}}"`,
    );
    expect(result.image).toEqual(layouts.base().manifest);
    const { mediaType, digest, size } = stored.descriptor;
    expect(result.artifact).toEqual({ mediaType, digest, size, artifactType: 'application/vnd.dev.metalayer.boot.v1' });
    expect(result.added.map((d) => d.digest)).toEqual([
      'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      sealed,
      result.artifact!.digest,
    ]);
  });

  it('writes this exact manifest and entry for a BLS set: kernel, initrds in order, entry text, os-release', async () => {
    const store = await layout(await layouts.fresh());
    const result = await attachTo(tmp, store, bls);
    const stored = await store.getManifest(result.artifact!.digest);
    if (stored.parsed.kind !== 'manifest') throw new Error('expected a manifest');
    const layers = stored.parsed.manifest.layers;
    const names = new Map([
      [layouts.base().manifest.digest, 'base manifest'],
      [result.composefsDigest.hex, 'bootable digest'],
      ...layers.map((l) => [l.digest, l.annotations!['org.opencontainers.image.title']!] as const),
    ]);
    expect(redact(decode(stored.parsed.bytes), names)).toMatchInlineSnapshot(
      `"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.dev.metalayer.boot.v1","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.dev.metalayer.boot.kernel.v1","digest":"<vmlinuz>","size":280000,"annotations":{"org.opencontainers.image.title":"vmlinuz","dev.metalayer.payload.role":"kernel"}},{"mediaType":"application/vnd.dev.metalayer.boot.initrd.v1","digest":"<initrd>","size":60000,"annotations":{"org.opencontainers.image.title":"initrd","dev.metalayer.payload.role":"initrd"}},{"mediaType":"application/vnd.dev.metalayer.boot.initrd.v1","digest":"<microcode>","size":5000,"annotations":{"org.opencontainers.image.title":"microcode","dev.metalayer.payload.role":"initrd"}},{"mediaType":"application/vnd.dev.metalayer.boot.entry.v1","digest":"<entry.conf>","size":312,"annotations":{"org.opencontainers.image.title":"entry.conf","dev.metalayer.payload.role":"entry"}},{"mediaType":"application/vnd.dev.metalayer.boot.os-release.v1","digest":"<os-release>","size":81,"annotations":{"org.opencontainers.image.title":"os-release","dev.metalayer.payload.role":"os-release"}}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"<base manifest>","size":623},"annotations":{"dev.metalayer.strategy":"artifact","dev.metalayer.payload.kind":"bls","dev.metalayer.kernel.version":"6.99.0-conformance","composefs.merged.bootable.erofs.v1.fsverity-sha512-12":"<bootable digest>"}}"`,
    );
    const entry = decode(await store.readBlob(layers[3]!));
    expect(redact(entry, names)).toMatchInlineSnapshot(`
      "title      Conformance OS 1
      version    6.99.0-conformance
      options    console=ttyS0 rw quiet composefs.digest=v1-sha512-12:<bootable digest>
      linux      /vmlinuz
      initrd     /initrd
      initrd     /microcode
      "
    `);
    expect(decode(await store.readBlob(layers[4]!))).toBe(bls.osRelease);
    for (const [i, file] of [bls.kernel, ...bls.initrds].entries()) expect(layers[i]!.digest).toBe(await sha256OfSource(file.data));
  });

  it('lists the artifact in index.json untagged, with artifactType and annotations; umoci and skopeo still see only the unchanged image', async () => {
    const dir = await layouts.fresh();
    const before = run('skopeo', ['inspect', '--raw', `oci:${dir}:${BASE_TAG}`]).stdout;
    const result = await attachTo(tmp, await layout(dir), uki);
    const index = await readIndexJson(dir);
    const names = new Map([
      [layouts.base().manifest.digest, 'base manifest'],
      [result.artifact!.digest, 'artifact manifest'],
      [result.composefsDigest.hex, 'bootable digest'],
    ]);
    expect(redact(JSON.stringify(index.manifests, null, 2), names)).toMatchInlineSnapshot(`
      "[
        {
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "digest": "<base manifest>",
          "size": 623,
          "annotations": {
            "org.opencontainers.image.ref.name": "base"
          }
        },
        {
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "digest": "<artifact manifest>",
          "size": 1039,
          "artifactType": "application/vnd.dev.metalayer.boot.v1",
          "annotations": {
            "dev.metalayer.strategy": "artifact",
            "dev.metalayer.payload.kind": "uki",
            "dev.metalayer.kernel.version": "6.99.0-conformance",
            "composefs.merged.bootable.erofs.v1.fsverity-sha512-12": "<bootable digest>"
          }
        }
      ]"
    `);
    expect(run('umoci', ['ls', '--layout', dir]).stdout.toString()).toBe(`${BASE_TAG}\n`);
    const after = run('skopeo', ['inspect', '--raw', `oci:${dir}:${BASE_TAG}`]).stdout;
    expect(Buffer.compare(after, before)).toBe(0);
    expect(
      Buffer.compare(after, await readFile(join(layouts.base().dir, 'blobs', 'sha256', layouts.base().manifest.digest.slice(7)))),
    ).toBe(0);
    // skopeo copies the image alone (it does not follow referrers) and is not confused by the extra entry.
    run('skopeo', ['copy', '--quiet', '--preserve-digests', `oci:${dir}:${BASE_TAG}`, `oci:${join(tmp, 'skopeo-copy')}:${BASE_TAG}`]);
    expect((await readIndexJson(join(tmp, 'skopeo-copy'))).manifests.map((m) => m.digest)).toEqual([layouts.base().manifest.digest]);
  });

  it('is idempotent for the same payload (same artifact, no second index entry) and refuses a different one, naming the artifact', async () => {
    const dir = await layouts.fresh();
    const store = await layout(dir);
    const first = await attachTo(tmp, store, bls);
    const indexBefore = await readFile(join(dir, 'index.json'));
    const again = await attachTo(tmp, store, bls);
    expect(again.artifact).toEqual(first.artifact);
    expect(again.added).toEqual(first.added);
    expect(Buffer.compare(await readFile(join(dir, 'index.json')), indexBefore)).toBe(0);
    const other = await makeBlsPayload(tmp, 'bytes-other');
    const error = await attachTo(tmp, store, other).catch((e: unknown) => e);
    expect(AlreadyAttachedError.isInstance(error)).toBe(true);
    expect((error as AlreadyAttachedError).existing).toBe(`artifact ${first.artifact!.digest}`);
    // A different digest spec seals different bytes: also a different payload.
    const sha256 = await createArtifactStrategy()
      .attach(
        { tempDir: tmp },
        { image: { store, reference: BASE_TAG }, payload: bls, digest: { ...DEFAULT_DIGEST_SPEC, algorithm: 'sha256' } },
      )
      .catch((e: unknown) => e);
    expect(AlreadyAttachedError.isInstance(sha256)).toBe(true);
  });

  it.each([
    ['../evil', 'contains "/"'],
    ['boot/vmlinuz', 'contains "/"'],
    ['..', 'is ".."'],
    ['.wh.vmlinuz', 'starts with ".wh."'],
    ['', 'is empty'],
    ['tab\there', 'control character'],
    ['entry.conf', 'two payload files are named "entry.conf"'],
    ['initrd', 'two payload files are named "initrd"'],
  ])('refuses the payload file name %j before writing anything (%s)', async (name, message) => {
    const dir = await layouts.fresh();
    const indexBefore = await readFile(join(dir, 'index.json'));
    const payload: BlsPayload = { ...bls, kernel: { ...bls.kernel, name } };
    const error = await attachTo(tmp, await layout(dir), payload).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(message);
    expect(Buffer.compare(await readFile(join(dir, 'index.json')), indexBefore)).toBe(0);
  });

  it('normalises BLS fields as the entry stores them, and refuses line breaks', async () => {
    const store = await layout(await layouts.fresh());
    const result = await attachTo(tmp, store, { ...bls, title: '  Spaced  ', kernelVersion: ' 6.99 ', options: '  console=ttyS0  ' });
    const located = await createArtifactStrategy().locate({ tempDir: tmp }, { store, reference: BASE_TAG });
    expect(located.payload).toMatchObject({ title: 'Spaced', kernelVersion: '6.99' });
    expect(result.payload).toMatchObject({ title: 'Spaced', kernelVersion: '6.99' });
    expect((located.payload as BlsPayload).options).toBe((result.payload as BlsPayload).options);
    const error = await attachTo(tmp, await layout(await layouts.fresh()), { ...bls, title: 'two\nlines' }).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
  });
});
