import { join } from 'node:path';
import type { Descriptor } from '@metalayer/core';
import { openLayout, putArtifact, resolveImage, type ImageStore } from '@metalayer/oci';
import { buildTestImage, OS_LAYERS } from '@metalayer/test-fixtures';
import { haveTools, run, useTempDir, startDockerRegistry, type TestRegistry } from '@metalayer/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli';
import { captureIo } from '../test-support/capture-io';

/** An artifact (one payload blob) referring to `subject`. */
function artifact(
  store: ImageStore,
  subject: Descriptor,
  artifactType: string,
  payload = new TextEncoder().encode(`for ${subject.digest}`),
) {
  return putArtifact(store, { artifactType, subject, blobs: [{ mediaType: 'application/octet-stream', content: payload }] });
}

describe.skipIf(!haveTools('docker-registry', 'skopeo'))('metalayer copy', () => {
  const tmp = useTempDir();
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startDockerRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('moves a multi-layer image and its referrers layout → registry → layout with identical digests', async () => {
    const built = await buildTestImage(
      join(tmp, 'src'),
      OS_LAYERS.map((entries, i) => ({ entries, compression: i % 2 ? 'none' : 'gzip' })),
      'v1',
    );
    const src = built.store;
    const image = { manifest: built.image.descriptor, manifestBytes: built.image.manifestBytes, layers: built.image.manifest.layers };
    const sig = await artifact(src, image.manifest, 'application/vnd.example.sig');
    const kernel = await artifact(src, image.manifest, 'application/vnd.example.uki', new Uint8Array(5000).fill(3));
    const sigOfKernel = await artifact(src, kernel.descriptor, 'application/vnd.example.sig');
    const remote = `docker://${registry.host}/cli/image:v1`;

    const push = captureIo({ stderrIsTTY: true });
    expect(
      await main(['copy', `oci:${src.path}:v1`, remote, '--dest-tls-verify=false', '--referrers', '--json'], push.io),
      push.err(),
    ).toBe(0);
    const pushed = JSON.parse(push.text());
    expect(pushed.digest).toBe(image.manifest.digest);
    expect(pushed.referrers.map((r: { digest: string }) => r.digest).sort()).toEqual(
      [sig, kernel, sigOfKernel].map((a) => a.descriptor.digest).sort(),
    );
    expect(pushed.blobs.filter((b: { action: string }) => b.action === 'copied')).toHaveLength(pushed.blobs.length);
    expect(push.err()).toBe(''); // --json: no progress even on a TTY
    expect(run('skopeo', ['inspect', '--raw', '--tls-verify=false', remote]).stdout.toString()).toBe(
      Buffer.from(image.manifestBytes).toString(),
    );

    const pull = captureIo();
    expect(await main(['copy', '--src-tls-verify=false', '--referrers', remote, `oci:${join(tmp, 'back')}:v1`], pull.io), pull.err()).toBe(
      0,
    );
    expect(pull.text().split('\n')[0]).toBe(image.manifest.digest);
    const back = await openLayout(join(tmp, 'back'));
    const resolved = await resolveImage(back, 'v1');
    expect(resolved.descriptor.digest).toBe(image.manifest.digest);
    expect(resolved.manifest.layers.map((l) => l.digest)).toEqual(image.layers.map((l) => l.digest));
    expect((await back.listReferrers(image.manifest.digest)).map((d) => d.digest).sort()).toEqual(
      [sig, kernel].map((a) => a.descriptor.digest).sort(),
    );
    expect((await back.listReferrers(kernel.descriptor.digest)).map((d) => d.digest)).toEqual([sigOfKernel.descriptor.digest]);

    const again = captureIo();
    expect(await main(['copy', '--json', `oci:${src.path}:v1`, remote, '--dest-tls-verify=false'], again.io)).toBe(0);
    expect(JSON.parse(again.text()).bytesCopied).toBe(0);
  });

  it('gives clear errors and exit codes', async () => {
    const bad = captureIo();
    expect(await main(['copy', '/no/transport', 'oci:/tmp/x'], bad.io)).toBe(3);
    expect(bad.err()).toContain('missing transport prefix');
    const missing = captureIo();
    await openLayout(join(tmp, 'empty'), { create: true });
    expect(await main(['copy', `oci:${join(tmp, 'empty')}:nope`, `oci:${join(tmp, 'x')}`], missing.io)).toBe(3);
    expect(missing.err()).toContain('manifest nope not found');
    const refused = captureIo();
    expect(await main(['copy', `oci:${join(tmp, 'empty')}:nope`, `docker://127.0.0.1:1/a:b`, '--dest-tls-verify=maybe'], refused.io)).toBe(
      2,
    );
    expect(refused.err()).toContain('--dest-tls-verify must be true or false');
    const help = captureIo();
    expect(await main(['copy', '--help'], help.io)).toBe(0);
    expect(help.text()).toContain('metalayer copy oci:./out:v1');
  });
});
