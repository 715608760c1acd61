import { locateWithRegistry, type LocatedPayload, type StrategyContext } from '@metalayer/core';
import type { OptionSpecs } from './command';
import { imageOptions, openImageArg, imageArgOptions, type ImageOptionValues, type OpenedImage } from './image-args';
import { strategyRegistry } from './strategies';

/** Flags that pick the payload of an image (`locate`, `verify`, `install-kernel`, `deploy`). */
export const locateOptions = {
  strategy: { type: 'string', valueName: 'NAME', description: 'Strategy to look for (default: detect it from the image).' },
  artifact: {
    type: 'string',
    valueName: 'DIGEST',
    description: 'Artifact strategy: pin one artifact manifest when several refer to the image.',
  },
  ...imageOptions,
} as const satisfies OptionSpecs;

/** Values of {@link locateOptions}. */
export interface LocateOptionValues extends ImageOptionValues {
  strategy?: string;
  artifact?: string;
}

/** Opens IMAGE and finds its payload with the named or detected strategy. */
export async function locateFromArgs(
  reference: string,
  values: LocateOptionValues,
  ctx: StrategyContext,
): Promise<{ image: OpenedImage; located: LocatedPayload }> {
  const image = await openImageArg(reference, imageArgOptions(values));
  const located = await locateWithRegistry(strategyRegistry(), ctx, image, {
    ...(values.strategy ? { strategy: values.strategy } : {}),
    ...(values.artifact ? { artifact: values.artifact } : {}),
  });
  return { image, located };
}
