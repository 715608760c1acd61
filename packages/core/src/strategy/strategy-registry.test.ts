import { describe, expect, it } from 'vitest';
import { UnknownStrategyError } from '../errors/unknown-strategy-error';
import type { MetaLayerStrategy } from './meta-layer-strategy';
import { assertStrategy, createStrategyRegistry } from './strategy-registry';

function fake(name: string, overrides: Partial<MetaLayerStrategy> = {}): MetaLayerStrategy {
  return {
    name,
    summary: `${name} strategy`,
    capabilities: {
      hidesKernelFromContainer: true,
      changesImageDigest: false,
      needsReferrers: false,
      payloadKinds: ['uki'],
      reattach: 'refuse',
    },
    detect: async () => false,
    attach: async () => {
      throw new Error('unused');
    },
    locate: async () => {
      throw new Error('unused');
    },
    ...overrides,
  };
}

describe('createStrategyRegistry', () => {
  it('keeps registration order and finds strategies by name', () => {
    const registry = createStrategyRegistry([fake('b-one'), fake('a-two')]);
    expect(registry.names).toEqual(['b-one', 'a-two']);
    expect(registry.get('a-two').summary).toBe('a-two strategy');
  });

  it('rejects unknown names with the known ones in the hint', () => {
    const registry = createStrategyRegistry([fake('kernel-layer')]);
    const error = (() => {
      try {
        registry.get('nope');
      } catch (e) {
        return e;
      }
    })();
    expect(UnknownStrategyError.isInstance(error)).toBe(true);
    expect((error as UnknownStrategyError).hint).toContain('kernel-layer');
  });

  it('rejects duplicates', () => {
    expect(() => createStrategyRegistry([fake('x'), fake('x')])).toThrow(/registered twice/);
  });
});

describe('assertStrategy (runtime check of plugins)', () => {
  it.each([
    ['not an object', 42, /not an object/],
    ['bad name', { ...fake('x'), name: 'Bad Name' }, /name must match/],
    ['missing method', { ...fake('x'), locate: undefined }, /locate\(\) missing/],
    ['non-boolean flag', { ...fake('x'), capabilities: { ...fake('x').capabilities, needsReferrers: 'yes' } }, /needsReferrers/],
    ['no payload kinds', { ...fake('x'), capabilities: { ...fake('x').capabilities, payloadKinds: [] } }, /payloadKinds/],
    ['bad reattach', { ...fake('x'), capabilities: { ...fake('x').capabilities, reattach: 'maybe' } }, /reattach/],
  ])('%s', (_label, value, message) => {
    expect(() => assertStrategy(value)).toThrow(message);
  });

  it('accepts a well-formed strategy', () => {
    expect(() => assertStrategy(fake('artifact'))).not.toThrow();
  });
});
