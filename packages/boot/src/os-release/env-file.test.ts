import { describe, expect, it } from 'vitest';
import { osReleaseLabel, osReleaseName, parseEnvFile, parseOsRelease } from './env-file';

describe('env files and os-release', () => {
  it('reads shell-style quoting, escapes, concatenation and comments', () => {
    const text = [
      '# comment',
      'NAME="Fedora Linux"',
      "PRETTY_NAME='prettyOS'",
      'VERSION_ID="Rocky Racoon"',
      'ESCAPED="a \\"quoted\\" \\$word"',
      'PLAIN=a\\ b',
      'MIXED="a"\'b\'c',
      '  SPACED =  value  ',
      'bad line without equals',
      '1BAD=x',
      'EMPTY=',
      'LAST=1',
      'LAST=2',
    ].join('\n');
    const env = parseEnvFile(text);
    expect(Object.fromEntries(env)).toEqual({
      NAME: 'Fedora Linux',
      PRETTY_NAME: 'prettyOS',
      VERSION_ID: 'Rocky Racoon',
      ESCAPED: 'a "quoted" $word',
      PLAIN: 'a b',
      MIXED: 'abc',
      SPACED: 'value',
      EMPTY: '',
      LAST: '2',
    });
  });

  it('derives the boot label like composefs-rs', () => {
    // composefs-rs-semantics.md §8.5 vector.
    expect(osReleaseLabel(parseOsRelease(`PRETTY_NAME='prettyOS'\nVERSION_ID="Rocky Racoon"\n`))).toBe('prettyOS Rocky Racoon');
    expect(osReleaseName(parseOsRelease('ID=debian\nNAME=""\n'))).toBe('debian');
    expect(osReleaseName(parseOsRelease(''))).toBeUndefined();
  });
});
