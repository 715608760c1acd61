import { AmbiguousPayloadError } from '../errors/ambiguous-payload-error';
import { PayloadNotFoundError } from '../errors/payload-not-found-error';
import type { ImageLocation, LocatedPayload, LocateOptions, MetaLayerStrategy, StrategyContext } from './meta-layer-strategy';
import type { StrategyRegistry } from './strategy-registry';

/** `store:reference` for messages. */
export function describeImage(image: ImageLocation): string {
  return `${image.store.location}${image.reference.startsWith('sha256:') ? '@' : ':'}${image.reference}`;
}

/** Every registered strategy whose marks the image carries, in registry order. */
export async function detectStrategies(
  registry: StrategyRegistry,
  ctx: StrategyContext,
  image: ImageLocation,
): Promise<MetaLayerStrategy[]> {
  const found: MetaLayerStrategy[] = [];
  for (const strategy of registry.list()) {
    if (await strategy.detect(ctx, image)) found.push(strategy);
  }
  return found;
}

/** Options of {@link locateWithRegistry}. */
export interface LocateWithRegistryOptions extends LocateOptions {
  /** Use this strategy instead of auto-detection. */
  readonly strategy?: string;
}

/**
 * Finds an image's payload: with the named strategy, or by auto-detection.
 * No marks → `PayloadNotFoundError`; marks of several strategies →
 * `AmbiguousPayloadError` (metalayer never guesses which kernel to boot).
 */
export async function locateWithRegistry(
  registry: StrategyRegistry,
  ctx: StrategyContext,
  image: ImageLocation,
  options: LocateWithRegistryOptions = {},
): Promise<LocatedPayload> {
  const locateOptions: LocateOptions = options.artifact ? { artifact: options.artifact } : {};
  if (options.strategy) return registry.get(options.strategy).locate(ctx, image, locateOptions);
  const detected = await detectStrategies(registry, ctx, image);
  if (detected.length === 0) {
    throw new PayloadNotFoundError({ image: describeImage(image), reason: `no marks of ${registry.names.join(', ')}` });
  }
  if (detected.length > 1) {
    throw new AmbiguousPayloadError({
      image: describeImage(image),
      candidates: detected.map((s) => s.name),
      reason: 'the image carries payloads of several strategies',
    });
  }
  return detected[0]!.locate(ctx, image, locateOptions);
}
