import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BASE_CMDLINE, makeUkiPayload, writeBaseImage, type BaseImage } from '@metalayer/conformance';
import { encodeJson, openLayout, resolveImage } from '@metalayer/oci';
import { prngBytes } from '@metalayer/test-utils';

/** Files and images the CLI tests attach, locate and verify. */
export interface CliFixtures {
  /** `oci:DIR:base` of the conformance base image. */
  base: string;
  baseImage: BaseImage;
  /** A second, different image (`oci:DIR:base`). */
  other: string;
  /** An unsigned UKI built on the systemd stub (`.cmdline` = {@link BASE_CMDLINE}). */
  uki: string;
  kernel: string;
  initrd: string;
}

/** Writes the base images and payload files under `dir`. */
export async function writeCliFixtures(dir: string): Promise<CliFixtures> {
  const baseImage = await writeBaseImage(join(dir, 'base'));
  await writeBaseImage(join(dir, 'other'), 1);
  await makeUkiPayload(dir, 'cli');
  const kernel = join(dir, 'vmlinuz');
  const initrd = join(dir, 'initrd.img');
  await writeFile(kernel, prngBytes('cli-kernel', 200_000));
  await writeFile(initrd, prngBytes('cli-initrd', 30_000));
  return {
    base: `oci:${join(dir, 'base')}:base`,
    baseImage,
    other: `oci:${join(dir, 'other')}:base`,
    uki: join(dir, 'cli.efi'),
    kernel,
    initrd,
  };
}

export { BASE_CMDLINE };

/**
 * Copies the artifact attached to `fromDir:fromTag` onto `toDir:toTag` with
 * its `subject` rewritten: the same kernel, sealed for another image — what a
 * registry serving the wrong kernel for an image would look like. Returns
 * the transplanted artifact's digest.
 */
export async function transplantArtifact(fromDir: string, fromTag: string, toDir: string, toTag: string): Promise<string> {
  const from = await openLayout(fromDir);
  const [artifact] = await from.listReferrers((await resolveImage(from, fromTag)).descriptor.digest);
  if (!artifact) throw new Error(`${fromDir}:${fromTag} has no referrer`);
  const manifest = JSON.parse(new TextDecoder().decode((await from.getManifest(artifact.digest)).parsed.bytes));
  const to = await openLayout(toDir);
  for (const blob of [manifest.config, ...manifest.layers]) {
    await to.putBlob(await readFile(join(fromDir, 'blobs', 'sha256', blob.digest.slice('sha256:'.length))));
  }
  return (await to.putManifest(encodeJson({ ...manifest, subject: (await resolveImage(to, toTag)).descriptor }))).digest;
}
