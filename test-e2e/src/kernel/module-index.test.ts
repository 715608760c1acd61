import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveTools, run, useTempDir } from '@metalayer/test-utils';
import { haveKernel } from '../preflight';
import { findKernel, E2E_MODULES } from './kernel';
import { moduleName, readModuleIndex, resolveLoadOrder } from './module-index';

const { kernel } = findKernel();

describe('resolveLoadOrder on a synthetic depmod output', () => {
  const tmp = useTempDir('metalayer-moddep-');
  const dir = join(tmp, 'lib/modules/1.0');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'modules.dep'),
    [
      'kernel/fs/top.ko.xz: kernel/lib/mid.ko.xz kernel/lib/base.ko.xz',
      'kernel/lib/mid.ko.xz: kernel/lib/base.ko.xz',
      'kernel/lib/base.ko.xz:',
      'kernel/crypto/hash-generic.ko.xz:',
      'kernel/arch/hash-fast.ko.xz:',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'modules.softdep'), 'softdep top pre: crypto-hash post: other\n');
  writeFileSync(join(dir, 'modules.alias'), 'alias crypto-hash hash_fast\nalias crypto-hash hash_generic\n');
  writeFileSync(join(dir, 'modules.builtin'), 'kernel/drivers/builtin_one.ko\n');

  it('loads soft pre-dependencies (preferring *_generic), then hard dependencies last-listed first', () => {
    const index = readModuleIndex(dir);
    expect(resolveLoadOrder(index, ['top'])).toEqual(['hash_generic', 'base', 'mid', 'top']);
  });

  it('skips built-in modules and fails on unknown ones, naming the chain', () => {
    const index = readModuleIndex(dir);
    expect(resolveLoadOrder(index, ['builtin-one', 'base'])).toEqual(['base']);
    expect(() => resolveLoadOrder(index, ['nope'])).toThrow(/nope .* neither built in nor in modules.dep/);
  });

  it('folds dashes and compression suffixes into module names', () => {
    expect(moduleName('kernel/arch/x86/crypto/crc32c-intel.ko.xz')).toBe('crc32c_intel');
    expect(moduleName('virtio-blk')).toBe('virtio_blk');
  });
});

describe.skipIf(!haveKernel() || !haveTools('modprobe'))(
  'resolveLoadOrder on the e2e kernel, checked against modprobe --show-depends',
  () => {
    it('orders every module after everything modprobe would insmod before it', () => {
      const k = kernel!;
      const order = resolveLoadOrder(readModuleIndex(k.modulesDir), E2E_MODULES);
      for (const wanted of E2E_MODULES) {
        const r = run('modprobe', ['--show-depends', '-d', join(k.dir, 'root'), '-S', k.version, wanted]);
        const chain = r.stdout
          .toString()
          .split('\n')
          .filter((l) => l.startsWith('insmod '))
          .map((l) => moduleName(l.split(' ')[1]!));
        // modprobe loads every provider of the crc32c soft dependency; the
        // accelerated one needs SSE4.2, which QEMU's default TCG CPU lacks.
        const expected = chain.filter((m) => m !== 'crc32c_intel');
        expect(expected.length).toBeGreaterThan(0);
        const positions = expected.map((m) => order.indexOf(m));
        expect(positions).not.toContain(-1);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }
    });
  },
);
