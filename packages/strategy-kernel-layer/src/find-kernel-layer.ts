import type { Descriptor, ResolvedImage } from '@metalayer/core';
import { KEY_LAYER_ROLE, KEY_STRATEGY, PayloadFormatError } from '@metalayer/strategy-kit';
import { KERNEL_LAYER_ROLE, KEY_KERNEL_LAYER, STRATEGY_NAME } from './labels';

/** The kernel layer of an image, as its marks name it. */
export interface KernelLayerMark {
  /** Position in `manifest.layers` (always the last one). */
  readonly index: number;
  readonly layer: Descriptor;
  readonly diffId: string;
}

const labelsOf = (image: ResolvedImage): Readonly<Record<string, string>> => image.config.config?.Labels ?? {};

const annotatedLayers = (image: ResolvedImage): number[] =>
  image.manifest.layers.flatMap((layer, i) => (layer.annotations?.[KEY_LAYER_ROLE] === KERNEL_LAYER_ROLE ? [i] : []));

/** Whether the image carries either mark of a kernel layer (config label or layer annotation). */
export function hasKernelLayerMarks(image: ResolvedImage): boolean {
  return labelsOf(image)[KEY_KERNEL_LAYER] !== undefined || annotatedLayers(image).length > 0;
}

/**
 * Finds the kernel layer by its two marks: the config label naming its
 * diff_id and the role annotation on its descriptor. Returns undefined when
 * neither is present. Both must be present and agree, the strategy label must
 * be ours, and the layer must be the last one (a layer above it could change
 * the root that boots); otherwise `PayloadFormatError`. Never guesses from
 * layer positions or paths.
 */
export function findKernelLayer(image: ResolvedImage, subject: string): KernelLayerMark | undefined {
  const labels = labelsOf(image);
  const label = labels[KEY_KERNEL_LAYER];
  const annotated = annotatedLayers(image);
  if (label === undefined && annotated.length === 0) return undefined;
  const fail = (reason: string): never => {
    throw new PayloadFormatError({ subject, reason });
  };
  const { layers } = image.manifest;
  const diffIds = image.config.rootfs.diff_ids;
  if (diffIds.length !== layers.length) fail(`the config lists ${diffIds.length} diff_ids for ${layers.length} layers`);
  if (annotated.length > 1)
    fail(`layers ${annotated.join(', ')} are all annotated ${KEY_LAYER_ROLE}=${KERNEL_LAYER_ROLE}; a kernel-layer image has exactly one`);
  if (label === undefined)
    fail(`layer ${annotated[0]} is annotated ${KEY_LAYER_ROLE}=${KERNEL_LAYER_ROLE} but the config has no ${KEY_KERNEL_LAYER} label`);
  const index = annotated[0];
  if (index === undefined)
    fail(`the config label ${KEY_KERNEL_LAYER} names ${label} but no layer descriptor is annotated ${KEY_LAYER_ROLE}=${KERNEL_LAYER_ROLE}`);
  if (diffIds[index!] !== label)
    fail(`the config label ${KEY_KERNEL_LAYER} names ${label} but the annotated layer ${index} has diff_id ${diffIds[index!]}`);
  if (index !== layers.length - 1) {
    fail(
      `the kernel layer is layer ${index} of ${layers.length}: the layers above it could change the root that boots, so the digest on the command line would not name it`,
    );
  }
  if (labels[KEY_STRATEGY] !== STRATEGY_NAME)
    fail(`the config label ${KEY_STRATEGY} is ${JSON.stringify(labels[KEY_STRATEGY])}, not ${STRATEGY_NAME}`);
  return { index: index!, layer: layers[index!]!, diffId: label! };
}
