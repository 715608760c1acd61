import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeJson, openLayout } from '@metalayer/oci';
import { haveFile, useTempDir } from '@metalayer/test-utils';
import { attachJson, errorJson, verifyJson, type AttachJson } from './cli/cli-json';
import { createMetalayerCli, type MetalayerCli } from './cli/metalayer-cli';
import { BASE_CMDLINE } from './fixtures/harness-fixture';
import { requireKernel } from './kernel/kernel';
import { writeVariantImages } from './matrix/variant-images';
import { artifactsDir } from './paths';
import { haveKernel } from './preflight';
import { BUSYBOX_STATIC } from './tree/busybox';

/** Every file under `dir` with the SHA-256 of its content (directories as `dir/`). */
function snapshot(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const rel = `${prefix}${name}`;
    if (lstatSync(path).isDirectory()) out.push(`${rel}/`, ...snapshot(path, `${rel}/`));
    else out.push(`${rel} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
  }
  return out;
}

// A kernel sealed for image A, presented as image B's kernel: the artifact strategy's
// manifest copied with its `subject` pointing at B (what a confused or malicious
// registry could serve). No command can make this, so the test forges it with
// @metalayer/oci; everything else goes through the built CLI. No VM is booted.
describe.skipIf(!haveKernel() || !haveFile(BUSYBOX_STATIC, 'busybox-static'))(
  'install-kernel refuses a kernel sealed for another image',
  () => {
    const tmp = useTempDir('metalayer-e2e-refusal-');
    const layout = join(tmp, 'images');
    const ref = (tag: string): string => `oci:${layout}:${tag}`;
    const bootRoot = join(tmp, 'boot');
    const root = join(tmp, 'empty-root');
    let cli: MetalayerCli;
    let sealedForA: AttachJson;

    beforeAll(async () => {
      cli = createMetalayerCli(join(artifactsDir, 'refusal-cli.log'));
      await writeVariantImages(layout, ['image-a', 'image-b']);
      sealedForA = attachJson(
        (
          await cli([
            'attach',
            '--strategy',
            'artifact',
            '--kernel',
            requireKernel().vmlinuz,
            '--cmdline',
            BASE_CMDLINE,
            '--json',
            ref('image-a'),
            ref('image-a'),
          ])
        ).json,
      );
      // The forgery: A's artifact manifest, byte for byte, except that it now refers to B.
      const store = await openLayout(layout);
      const artifact = await store.getManifest(sealedForA.artifact!.digest);
      const b = (await store.getManifest('image-b')).descriptor;
      const forged = {
        ...JSON.parse(new TextDecoder().decode(artifact.parsed.bytes)),
        subject: { mediaType: b.mediaType, digest: b.digest, size: b.size },
      };
      await store.putManifest(encodeJson(forged));
      mkdirSync(bootRoot, { recursive: true });
      mkdirSync(root, { recursive: true });
    }, 300_000);

    const install = (tag: string, extra: string[] = [], expectCode = 0) =>
      cli(
        [
          'install-kernel',
          '--boot-root',
          bootRoot,
          '--root',
          root,
          '--entry-token',
          'literal:refusal',
          '--layout',
          'bls',
          ...extra,
          '--json',
          ref(tag),
        ],
        { expectCode },
      );

    it('locate finds the forged kernel for image B; verify recomputes B and says no (exit 1)', async () => {
      const located = (await cli(['locate', '--json', ref('image-b')])).json as { strategy?: string };
      expect(located.strategy).toBe('artifact');
      const report = verifyJson((await cli(['verify', '--json', ref('image-b')], { expectCode: 1 })).json);
      expect(report.ok).toBe(false);
      expect(report.matched).toBeNull();
      expect(report.problems.length).toBeGreaterThan(0);
      // The genuine pairing still verifies.
      expect(verifyJson((await cli(['verify', '--json', ref('image-a')])).json).matched?.hex).toBe(sealedForA.composefsDigest.hex);
    });

    it('install-kernel refuses it with exit 1 and leaves $BOOT as it was, with and without --repo', async () => {
      // $BOOT already holds A's entry, at the very paths B's kernel would take.
      await install('image-a');
      const before = snapshot(bootRoot);
      expect(before).toContain('loader/entries/');
      for (const extra of [[], ['--repo', join(tmp, 'repo')]]) {
        const refused = errorJson((await install('image-b', extra, 1)).json);
        expect(['MetalayerVerificationError', 'MetalayerDigestMismatchError']).toContain(refused.error.name);
        expect(snapshot(bootRoot)).toEqual(before);
      }
    });
  },
);
