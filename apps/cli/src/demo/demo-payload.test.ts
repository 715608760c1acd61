import { join } from 'node:path';
import { readUki } from '@metalayer/boot';
import { haveFile, useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { DEMO_STUB, makeDemoPayload } from './demo-payload';

describe('the demo payload', () => {
  const tmp = useTempDir('demo-payload-');

  it('is a BLS set on a machine without the systemd stub', async () => {
    const demo = await makeDemoPayload(tmp, { METALAYER_KERNEL_DIR: join(tmp, 'none') }, join(tmp, 'no-stub'));
    expect(demo.stub).toBeUndefined();
    expect(demo.payload.kind).toBe('bls');
    if (demo.payload.kind !== 'bls') return;
    expect(demo.payload.initrds).toHaveLength(1);
    expect(demo.payload.options).toBe('console=ttyS0 rw');
    expect(demo.payload.osRelease).toContain('ID=metalayer-demo');
  });

  it.skipIf(!haveFile(DEMO_STUB, 'systemd-boot-efi stub'))('is a UKI built on the systemd stub when it is installed', async () => {
    const demo = await makeDemoPayload(tmp, {});
    expect(demo.payload.kind).toBe('uki');
    if (demo.payload.kind !== 'uki') return;
    const uki = await readUki(demo.payload.uki.data);
    expect(uki.pe.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['.linux', '.initrd', '.cmdline', '.osrel']));
  });
});
