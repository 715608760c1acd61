import { resolve } from 'node:path';
import { formatComposefsArg } from '@metalayer/boot';
import { InvalidArgumentError } from '@metalayer/core';
import { deployImage } from '@metalayer/rootfs';
import { defineCommand } from '../command';
import { digestOptions, digestSpecFromArgs } from '../digest-args';
import {
  enableVerityOption,
  layerProgress,
  openRootfsImage,
  rootfsOptions,
  transformOptionsFromArgs,
  verityPolicy,
  warnSelinux,
} from '../rootfs-args';

/** `metalayer deploy`: lay an image out in a composefs repository, ready to boot. */
export const deployCommand = defineCommand({
  name: 'deploy',
  summary: 'Write an OCI image into a composefs repository (objects/, images/<id>) as composefs-rs does; print the image id.',
  usage: 'deploy IMAGE --repo DIR [--bootable] [options]',
  description: `
Streams each layer once: every file larger than 64 bytes is written as
objects/<xx>/<rest> (named by its fs-verity digest) while it is hashed, then the composefs
EROFS image is stored as an object and images/<id> is linked to it, last. meta.json is
created for a new repository (default fsverity-sha512-12, EROFS format 1, as cfsctl init);
an existing repository keeps its algorithm and format, and --hash/--erofs-version must agree.
Writes are atomic and idempotent: running it again changes nothing.

composefs-setup-root reads meta.json, images/<id> and objects/; boot with
composefs.digest=v1-<hash>-12:<id> (use --bootable for the id a bootable kernel names).
Not written: splitstreams and OCI tags under streams/ (cfsctl oci commands will not list
the image); --ref NAME adds images/refs/NAME so that \`cfsctl gc\` keeps it.

--enable-verity: auto (default) enables fs-verity on written files where the filesystem
supports it and reports when it does not; yes fails without it; no never tries (refused
for a repository whose meta.json has fs-verity). Uses the fsverity tool.`,
  options: {
    repo: { type: 'string', valueName: 'DIR', description: 'The composefs repository (created when missing).' },
    ...digestOptions,
    ...enableVerityOption,
    ref: { type: 'string', valueName: 'NAME', description: 'Also link images/refs/NAME to the image (a GC root for cfsctl).' },
    ...rootfsOptions,
  },
  positionals: { min: 1, max: 1 },
  examples: [
    'metalayer deploy oci:./out:v1 --repo /sysroot/composefs --bootable',
    'metalayer deploy docker://127.0.0.1:5000/os/base:v1 --tls-verify=false --repo ./repo --ref os/base',
    'metalayer deploy oci:./out:v1 --repo ./repo --hash sha256 --erofs-version 0 --enable-verity no --json',
  ],
  async run(ctx) {
    const repo = ctx.values.repo;
    if (repo === undefined) {
      throw new InvalidArgumentError({
        argument: '--repo',
        message: 'no repository given',
        hint: 'pass --repo DIR (created when missing)',
      });
    }
    const explicit =
      ctx.values.hash !== undefined || ctx.values['erofs-version'] !== undefined ? digestSpecFromArgs(ctx.values) : undefined;
    const transform = transformOptionsFromArgs(ctx.values);
    const { opened, image } = await openRootfsImage(ctx, ctx.positionals[0]!);
    const progress = layerProgress(ctx, `deploy ${opened.label}`);
    const result = await deployImage(opened.store, image, {
      ...transform,
      repository: resolve(ctx.io.cwd, repo),
      verity: verityPolicy(ctx.values['enable-verity']),
      ...(ctx.values.hash !== undefined && explicit ? { algorithm: explicit.algorithm } : {}),
      ...(ctx.values['erofs-version'] !== undefined && explicit ? { erofsVersion: explicit.erofsVersion } : {}),
      ...(ctx.values.ref !== undefined ? { ref: ctx.values.ref } : {}),
      signal: ctx.signal,
      onProgress: progress.onProgress,
    });
    progress.finish();
    warnSelinux(ctx, result.selinuxPolicy);
    const id = result.imageId;
    const karg = formatComposefsArg({
      algorithm: id.algorithm,
      hex: id.hex,
      version: 'v1',
      form: 'digest',
      insecure: result.verity !== 'enabled',
    });
    if (ctx.json) {
      ctx.printJson({
        image: opened.label,
        manifest: image.descriptor.digest,
        repository: result.repository,
        created: result.created,
        id: id.hex,
        algorithm: id.algorithm,
        erofsVersion: id.erofsVersion,
        bootable: Boolean(transform.bootable),
        imagePath: result.imagePath,
        imageWritten: result.imageWritten,
        imageLinked: result.imageLinked,
        refLinked: result.refLinked,
        objectsWritten: result.stats.objectsWritten,
        objectsPresent: result.stats.objectsPresent,
        bytesWritten: result.stats.bytesWritten,
        verity: result.verity,
        selinuxPolicy: result.selinuxPolicy ?? null,
        karg,
      });
      return;
    }
    ctx.print(id.hex);
    if (result.verity === 'unsupported') {
      ctx.warn(
        `note: fs-verity is not available on ${result.repository}; objects were written without it (boot with the insecure form: ${karg})`,
      );
    }
  },
});
