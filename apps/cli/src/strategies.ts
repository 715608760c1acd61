import { createStrategyRegistry, type StrategyRegistry } from '@metalayer/core';
import { createArtifactStrategy } from '@metalayer/strategy-artifact';
import { createHiddenWhiteoutStrategy } from '@metalayer/strategy-hidden-whiteout';
import { createKernelLayerStrategy } from '@metalayer/strategy-kernel-layer';

/**
 * Every strategy the CLI knows, by name, in the order tables list them. A
 * hand-written list: no scanning, no dynamic loading; the registry checks
 * each strategy's shape at runtime.
 */
export function strategyRegistry(): StrategyRegistry {
  return createStrategyRegistry([createHiddenWhiteoutStrategy(), createKernelLayerStrategy(), createArtifactStrategy()]);
}
