import type { TarWriteEntry } from '@metalayer/oci';
import { buildTestImage } from '@metalayer/test-fixtures';
import { useTempDir } from '@metalayer/test-utils';
import { describe, expect, it } from 'vitest';
import { readImageFiles } from './read-image-files';

const enc = new TextEncoder();
const dir = (name: string): TarWriteEntry => ({ name: `${name}/`, type: 'directory' });
const file = (name: string, text: string): TarWriteEntry => ({ name, type: 'file', body: enc.encode(text) });

describe('readImageFiles', () => {
  const tmp = useTempDir();

  it('returns the selected files as the layers leave them (container view)', async () => {
    const layers: TarWriteEntry[][] = [
      [
        dir('usr'),
        dir('usr/lib'),
        dir('usr/lib/modules'),
        dir('usr/lib/modules/6.1'),
        file('usr/lib/modules/6.1/vmlinuz', 'k61'),
        file('usr/lib/os-release', 'ID=one\n'),
        dir('etc'),
        file('etc/os-release', 'ID=etc\n'),
      ],
      [
        dir('usr/lib/modules/6.2'),
        file('usr/lib/modules/6.2/vmlinuz', 'k62'),
        { name: 'usr/lib/modules/.wh.6.1', type: 'file' },
        file('usr/lib/os-release', 'ID=two\n'),
      ],
      // Opaque marker after a new sibling in the same layer: the sibling stays (it is not in a lower layer).
      [
        dir('usr/lib/modules'),
        dir('usr/lib/modules/6.3'),
        file('usr/lib/modules/6.3/vmlinuz', 'k63'),
        { name: 'usr/lib/modules/.wh..wh..opq', type: 'file' },
        { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      ],
    ];
    const { store, image } = await buildTestImage(
      `${tmp}/a`,
      layers.map((entries) => ({ entries })),
    );
    const files = await readImageFiles({ tempDir: tmp }, store, image, (p) => /^usr\/lib\/modules\/[^/]+\/vmlinuz$|os-release$/.test(p));
    expect([...files.keys()]).toEqual(['usr/lib/modules/6.3/vmlinuz', 'usr/lib/os-release']);
    const text = async (path: string) => {
      const f = files.get(path)!;
      return new TextDecoder().decode(await f.data.read(0, f.data.size));
    };
    expect(await text('usr/lib/modules/6.3/vmlinuz')).toBe('k63');
    expect(await text('usr/lib/os-release')).toBe('ID=two\n');
    expect(files.get('usr/lib/os-release')!.name).toBe('os-release');
  });
});
