import { UnknownStrategyError } from '../errors/unknown-strategy-error';
import type { MetaLayerStrategy } from './meta-layer-strategy';

/** Strategies by name, in a fixed order (the order tables and auto-detection use). */
export interface StrategyRegistry {
  readonly names: readonly string[];
  /** The strategy called `name`; throws `UnknownStrategyError` otherwise. */
  get(name: string): MetaLayerStrategy;
  list(): readonly MetaLayerStrategy[];
}

const NAME_RE = /^[a-z][a-z0-9-]{0,62}$/;
const METHODS = ['detect', 'attach', 'locate'] as const;
const FLAGS = ['hidesKernelFromContainer', 'changesImageDigest', 'needsReferrers'] as const;

/**
 * Checks at runtime that `value` is a usable strategy: a plugin loaded by
 * name from outside the workspace is untrusted until this passes.
 */
export function assertStrategy(value: unknown, known: readonly string[] = []): asserts value is MetaLayerStrategy {
  const fail = (reason: string): never => {
    const label = typeof (value as { name?: unknown } | null)?.name === 'string' ? String((value as { name: string }).name) : '(unnamed)';
    throw new UnknownStrategyError({ strategy: label, known, reason });
  };
  if (value === null || typeof value !== 'object') fail('not an object');
  const s = value as Record<string, unknown>;
  if (typeof s.name !== 'string' || !NAME_RE.test(s.name)) fail('name must match [a-z][a-z0-9-]*');
  if (typeof s.summary !== 'string' || s.summary.length === 0) fail('summary missing');
  for (const method of METHODS) if (typeof s[method] !== 'function') fail(`method ${method}() missing`);
  const caps = s.capabilities as Record<string, unknown> | undefined;
  if (caps === null || typeof caps !== 'object') fail('capabilities missing');
  for (const flag of FLAGS) if (typeof caps![flag] !== 'boolean') fail(`capability ${flag} must be a boolean`);
  const kinds = caps!.payloadKinds;
  if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => k === 'uki' || k === 'bls')) {
    fail("capability payloadKinds must list 'uki' and/or 'bls'");
  }
  if (caps!.reattach !== 'refuse' && caps!.reattach !== 'idempotent') fail("capability reattach must be 'refuse' or 'idempotent'");
}

/** Builds a registry from strategies (validated at runtime; names must be unique). */
export function createStrategyRegistry(strategies: readonly MetaLayerStrategy[]): StrategyRegistry {
  const byName = new Map<string, MetaLayerStrategy>();
  for (const strategy of strategies) {
    assertStrategy(strategy, [...byName.keys()]);
    if (byName.has(strategy.name)) {
      throw new UnknownStrategyError({ strategy: strategy.name, known: [...byName.keys()], reason: 'registered twice' });
    }
    byName.set(strategy.name, strategy);
  }
  const names = [...byName.keys()];
  return {
    names,
    get(name) {
      const found = byName.get(name);
      if (!found) throw new UnknownStrategyError({ strategy: name, known: names });
      return found;
    },
    list: () => [...byName.values()],
  };
}
