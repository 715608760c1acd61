import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTreeError } from '../errors/invalid-tree-error';
import {
  analyzeLeaves,
  byteStringToBytes,
  bytesToByteString,
  cloneTree,
  computeNlink,
  createDirectory,
  createRegularFile,
  createSymlink,
  insertPath,
  isByteString,
  linkPath,
  lookupPath,
  removePath,
  sortedNames,
  splitPath,
  utf8ToByteString,
  walkTree,
  type Directory,
} from './index';

function sampleTree(): Directory {
  const root = createDirectory({ mode: 0o755 });
  insertPath(root, '/etc', createDirectory({ mode: 0o755 }));
  insertPath(root, '/etc/passwd', createRegularFile({ content: new TextEncoder().encode('root:x:0:0\n') }));
  insertPath(root, '/bin', createSymlink('usr/bin'));
  insertPath(root, '/\xff\xfe', createRegularFile({ size: 10, payload: 'ab/cd' }));
  return root;
}

describe('byte strings', () => {
  it('round-trip arbitrary bytes, including invalid UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = bytesToByteString(bytes);
        expect(isByteString(text)).toBe(true);
        expect(byteStringToBytes(text)).toEqual(bytes);
      }),
    );
  });

  it('sort like C strcmp (unsigned bytes)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 8 }), { maxLength: 30 }), (names) => {
        const sorted = names.map(bytesToByteString).sort();
        const byBytes = [...names].sort((a, b) => Buffer.compare(a, b)).map(bytesToByteString);
        expect(sorted).toEqual(byBytes);
      }),
    );
  });

  it('encode typed text as UTF-8', () => {
    expect(utf8ToByteString('é')).toBe('\xc3\xa9');
    expect(isByteString('é€')).toBe(false);
  });
});

describe('paths and edits', () => {
  it('looks up, inserts and removes by path', () => {
    const root = sampleTree();
    expect(lookupPath(root, '/etc/passwd')?.kind).toBe('regular');
    expect(lookupPath(root, 'etc')?.kind).toBe('directory');
    expect(lookupPath(root, '/')).toBe(root);
    expect(lookupPath(root, '/missing/x')).toBeUndefined();
    expect(removePath(root, '/bin').kind).toBe('symlink');
    expect(lookupPath(root, '/bin')).toBeUndefined();
    expect(sortedNames(root)).toEqual(['etc', '\xff\xfe']);
  });

  it('rejects bad names and paths with typed errors', () => {
    const root = sampleTree();
    for (const path of ['/a//b', '/a/', '/./x', '/etc/..', `/${'n'.repeat(256)}`, '/a\0b']) {
      expect(() => insertPath(root, path, createDirectory())).toThrow(InvalidTreeError);
    }
    const exists = (() => {
      try {
        insertPath(root, '/etc', createDirectory());
      } catch (e) {
        return e;
      }
    })();
    expect(InvalidTreeError.isInstance(exists) && exists.reason).toBe('exists');
    expect(() => insertPath(root, '/etc/passwd/x', createDirectory())).toThrow(/not a directory/);
    expect(() => insertPath(root, '/nope/x', createDirectory())).toThrow(/does not exist/);
    expect(splitPath('//usr/lib')).toEqual(['usr', 'lib']);
    expect(() => splitPath('/usr//lib')).toThrow(InvalidTreeError);
  });

  it('shares one leaf between hard-linked names and counts them', () => {
    const root = sampleTree();
    const leaf = linkPath(root, '/etc/passwd', '/passwd-link');
    expect(lookupPath(root, '/passwd-link')).toBe(leaf);
    expect(root.hardLinks?.has('passwd-link')).toBe(true);
    computeNlink(root);
    expect(leaf.nlink).toBe(2);
    expect(() => linkPath(root, '/etc', '/etc-link')).toThrow(InvalidTreeError);
  });

  it('picks the canonical entry: first unflagged in depth-first order, else the first', () => {
    const root = createDirectory();
    insertPath(root, '/z', createDirectory());
    const leaf = createRegularFile({ size: 1, content: Uint8Array.of(1) });
    insertPath(root, '/z/real', leaf);
    insertPath(root, '/a', leaf, { hardLink: true });
    expect(analyzeLeaves(root).get(leaf)).toMatchObject({ path: '/z/real', references: 2 });
    root.hardLinks!.clear();
    expect(analyzeLeaves(root).get(leaf)?.path).toBe('/a');
  });

  it('rejects a directory reachable twice', () => {
    const root = createDirectory();
    const dir = createDirectory();
    root.entries.set('a', dir);
    root.entries.set('b', dir);
    expect(() => analyzeLeaves(root)).toThrow(/directories cannot be hard-linked/);
  });
});

describe('walk and clone', () => {
  it('walks depth-first in byte order', () => {
    const paths = [...walkTree(sampleTree())].map((e) => e.path);
    expect(paths).toEqual(['/', '/bin', '/etc', '/etc/passwd', '/\xff\xfe']);
  });

  it('walks a 2047-level tree without recursion, and refuses one level more', () => {
    const root = createDirectory();
    let dir = root;
    for (let i = 0; i < 2047; i++) {
      const next = createDirectory();
      dir.entries.set('d', next);
      dir = next;
    }
    expect([...walkTree(root)].length).toBe(2048);
    dir.entries.set('d', createDirectory());
    expect(() => [...walkTree(root)]).toThrow(/MAX_TREE_DEPTH/);
  });

  it('clones deeply while keeping hard links shared', () => {
    const root = sampleTree();
    linkPath(root, '/etc/passwd', '/again');
    root.stat.xattrs.set('user.a', Uint8Array.of(1));
    const copy = cloneTree(root);
    expect(lookupPath(copy, '/again')).toBe(lookupPath(copy, '/etc/passwd'));
    expect(lookupPath(copy, '/again')).not.toBe(lookupPath(root, '/again'));
    copy.stat.xattrs.get('user.a')![0] = 9;
    expect(root.stat.xattrs.get('user.a')![0]).toBe(1);
    expect(copy.hardLinks?.has('again')).toBe(true);
    expect([...walkTree(copy)].map((e) => e.path)).toEqual([...walkTree(root)].map((e) => e.path));
  });
});
