import { describe, expect, it } from 'vitest';
import {
  formatKernelArg,
  getKernelArg,
  joinKernelCmdline,
  parseKernelArg,
  replaceKernelArgs,
  splitKernelCmdline,
  tokenizeKernelCmdline,
} from './kernel-cmdline';

describe('kernel command line', () => {
  it('splits on whitespace and keeps quoted spaces inside one argument', () => {
    expect(splitKernelCmdline('  quiet\troot=/dev/vda1  init="/bin/sh -x" "a b=c d"\n')).toEqual([
      'quiet',
      'root=/dev/vda1',
      'init="/bin/sh -x"',
      '"a b=c d"',
    ]);
    expect(splitKernelCmdline('')).toEqual([]);
    expect(splitKernelCmdline('a=b\0c=d')).toEqual(['a=b']);
    // An unbalanced quote runs to the end, as in the kernel.
    expect(splitKernelCmdline('x="a b c')).toEqual(['x="a b c']);
  });

  it('records offsets so edits can keep everything else', () => {
    const line = ' a  bb ';
    expect(tokenizeKernelCmdline(line)).toEqual([
      { raw: 'a', start: 1, end: 2 },
      { raw: 'bb', start: 4, end: 6 },
    ]);
  });

  it('parses key and value like next_arg(): outer quotes go', () => {
    expect(parseKernelArg('quiet')).toEqual({ key: 'quiet', value: undefined });
    expect(parseKernelArg('root=')).toEqual({ key: 'root', value: '' });
    expect(parseKernelArg('init="/bin/sh -x"')).toEqual({ key: 'init', value: '/bin/sh -x' });
    expect(parseKernelArg('"a b=c d"')).toEqual({ key: 'a b', value: 'c d' });
    // The first "=" splits even inside quotes (lib/cmdline.c next_arg()).
    expect(parseKernelArg('k="x=y"=z')).toEqual({ key: 'k', value: 'x=y"=z' });
    expect(parseKernelArg('a"="b=c')).toEqual({ key: 'a"', value: 'b=c' });
    expect(parseKernelArg('a="')).toEqual({ key: 'a', value: '' });
    expect(parseKernelArg('"a"')).toEqual({ key: 'a', value: undefined });
    expect(parseKernelArg('"a="b""')).toEqual({ key: 'a', value: 'b"' });
  });

  it('formats and quotes values with spaces; refuses what cannot be quoted', () => {
    expect(formatKernelArg('quiet')).toBe('quiet');
    expect(formatKernelArg('init', '/bin/sh -x')).toBe('init="/bin/sh -x"');
    expect(parseKernelArg(formatKernelArg('init', '/bin/sh -x'))).toEqual({ key: 'init', value: '/bin/sh -x' });
    expect(() => formatKernelArg('a', 'say "hi"')).toThrow(TypeError);
    expect(() => formatKernelArg('a b', 'x')).toThrow(TypeError);
    expect(joinKernelCmdline(['a', '', 'b=c'])).toBe('a b=c');
    expect(getKernelArg('a=1 b="2 3" a=4', 'b')).toBe('2 3');
  });

  it('replaces matching arguments in place, removes extra ones, appends when absent', () => {
    const isRoot = (a: { key: string }) => a.key === 'root';
    expect(replaceKernelArgs('quiet  root=/dev/a\tsplash root=/dev/b', isRoot, ['root=/dev/c'])).toBe('quiet  root=/dev/c\tsplash');
    expect(replaceKernelArgs('root=/dev/a quiet', isRoot, [])).toBe('quiet');
    expect(replaceKernelArgs('quiet root=/dev/a', isRoot, [])).toBe('quiet');
    expect(replaceKernelArgs('quiet ', isRoot, ['root=x'])).toBe('quiet root=x');
    expect(replaceKernelArgs('', isRoot, ['root=x', 'ro'])).toBe('root=x ro');
    expect(replaceKernelArgs('a root=1 b root=2 c', isRoot, ['root=3', 'root=4'])).toBe('a root=3 root=4 b c');
  });
});
