import { describe, expect, it } from 'vitest';
import { cleanConsoleLine, ConsoleLines, markOf, markValue, type BootMark } from './serial-console';

describe('serial console parsing', () => {
  it('strips firmware terminal control: CSI, ESC c resets, wrap toggles, CR', () => {
    expect(cleanConsoleLine('\x1bc\x1b[2J\x1b[01;01H\x1b[=3h\x1b[?7lBdsDxe: loading Boot0001\r')).toBe('BdsDxe: loading Boot0001');
    expect(cleanConsoleLine('\x1b[0m\x1b[1;37mMARK ok\x1b[0m\r')).toBe('MARK ok');
  });

  it('splits chunks at newlines regardless of where the chunks end', () => {
    const lines: string[] = [];
    const c = new ConsoleLines((l) => lines.push(l));
    c.push('MARK a\r\nMA');
    c.push('RK b\nrest');
    expect(lines).toEqual(['MARK a', 'MARK b']);
    c.flush();
    expect(lines).toEqual(['MARK a', 'MARK b', 'rest']);
  });

  it('finds a MARK even when kernel output precedes it on the same line', () => {
    expect(markOf('[    3.2] random: crng init doneMARK disk dev=/dev/vda')).toBe('disk dev=/dev/vda');
    expect(markOf('no mark here')).toBeUndefined();
  });

  it('reads key=value fields of a named mark', () => {
    const marks: BootMark[] = [
      { ms: 1, text: 'composefs-karg alg=sha256 digest=ab insecure=0 version=v1' },
      { ms: 2, text: 'in-composefs-root marker=a:b-c d' },
      { ms: 3, text: 'verity-enabled-now=5' },
    ];
    expect(markValue(marks, 'composefs-karg', 'digest')).toBe('ab');
    expect(markValue(marks, 'composefs-karg', 'version')).toBe('v1');
    expect(markValue(marks, 'in-composefs-root', 'marker')).toBe('a:b-c d');
    expect(markValue(marks, 'verity-enabled-now')).toBe('5');
    expect(markValue(marks, 'missing')).toBeUndefined();
  });
});
