import { InvalidArgumentError, type ResolvedImage } from '@metalayer/core';
import type { VerityPolicy } from '@metalayer/composefs';
import { resolveImage } from '@metalayer/oci';
import type { ComposefsTransformOptions, RootfsProgress } from '@metalayer/rootfs';
import type { CommandContext, OptionSpecs } from './command';
import { imageOptions, openImageArg, imageArgOptions, type ImageOptionValues, type OpenedImage } from './image-args';

/** Options of the commands that read an image's root filesystem (`compute-id`, `dump`, `deploy`). */
export const rootfsOptions = {
  bootable: {
    type: 'boolean',
    description: 'Apply the bootable transform: /boot and /sysroot emptied (cfsctl oci compute-id --bootable).',
  },
  'keep-user-xattrs': {
    type: 'boolean',
    description: 'Keep user.* xattrs as well as security.capability (composefs-rs --xattrs keep-user-xattrs).',
  },
  'no-selinux-relabel': {
    type: 'boolean',
    description: 'With --bootable, go on when the image ships an SELinux policy, without labels (the id then differs from composefs-rs).',
  },
  layers: { type: 'string', valueName: 'N', description: 'Use only the first N layers of the image.' },
  ...imageOptions,
} as const satisfies OptionSpecs;

/** Values of {@link rootfsOptions}. */
export interface RootfsOptionValues extends ImageOptionValues {
  bootable?: boolean;
  'keep-user-xattrs'?: boolean;
  'no-selinux-relabel'?: boolean;
  layers?: string;
}

/** Transform options from the flags. */
export function transformOptionsFromArgs(values: RootfsOptionValues): ComposefsTransformOptions & { layers?: number } {
  const layers = values.layers;
  if (layers !== undefined && !/^\d+$/.test(layers)) {
    throw new InvalidArgumentError({ argument: '--layers', value: layers, message: `--layers must be a number, got "${layers}"` });
  }
  return {
    bootable: Boolean(values.bootable),
    keepUserXattrs: Boolean(values['keep-user-xattrs']),
    selinux: values['no-selinux-relabel'] ? 'ignore' : 'refuse',
    ...(layers !== undefined ? { layers: Number(layers) } : {}),
  };
}

/** Opens IMAGE and resolves it to one image manifest and config. */
export async function openRootfsImage(
  ctx: CommandContext<OptionSpecs>,
  reference: string,
): Promise<{ opened: OpenedImage; image: ResolvedImage }> {
  const values = ctx.values as RootfsOptionValues;
  const opened = await openImageArg(reference, imageArgOptions(values));
  const image = await resolveImage(opened.store, opened.reference, { signal: ctx.signal });
  return { opened, image };
}

/** A progress callback drawing `layer i/n` and the bytes read (only on a terminal). */
export function layerProgress(
  ctx: CommandContext<OptionSpecs>,
  label: string,
): { onProgress: (p: RootfsProgress) => void; finish: () => void } {
  const progress = ctx.progress(label, undefined, 'bytes');
  let before = 0;
  let layer = -1;
  let last = 0;
  return {
    onProgress: (p) => {
      if (p.layer !== layer) {
        before += last;
        layer = p.layer;
      }
      last = p.bytes;
      progress.update(before + p.bytes, `layer ${p.layer + 1}/${p.layers}${p.cached ? ' (same diff_id as before)' : ''}`);
    },
    finish: () => progress.finish(),
  };
}

/** Warns that a bootable id was computed without the SELinux labels composefs-rs would apply. */
export function warnSelinux(ctx: CommandContext<OptionSpecs>, policy: string | undefined): void {
  if (policy !== undefined) {
    ctx.warn(
      `warning: the image selects SELinux policy "${policy}"; computed without labels, so this id differs from composefs-rs/bootc for this image`,
    );
  }
}

/** `--enable-verity`: whether objects written into a composefs repository get fs-verity. */
export const enableVerityOption = {
  'enable-verity': {
    type: 'string',
    valueName: 'auto|yes|no',
    description: 'fs-verity on files written into the repository (default auto).',
  },
} as const satisfies OptionSpecs;

/** The verity policy `--enable-verity` names (default `auto`). */
export function verityPolicy(value: string | undefined): VerityPolicy {
  if (value === undefined || value === 'auto' || value === 'yes' || value === 'no') return value ?? 'auto';
  throw new InvalidArgumentError({
    argument: '--enable-verity',
    value,
    message: `--enable-verity must be auto, yes or no, got "${value}"`,
  });
}
