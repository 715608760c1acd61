import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from './errors/index';
import { formatReference, parseReference } from './reference';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    ['oci:/srv/img', { transport: 'oci', path: '/srv/img' }],
    ['oci:/srv/img:v1.0', { transport: 'oci', path: '/srv/img', tag: 'v1.0' }],
    ['oci:rel/dir:ns/name:1', { transport: 'oci', path: 'rel/dir', tag: 'ns/name:1' }],
    [`oci:/srv/img@${D}`, { transport: 'oci', path: '/srv/img', digest: D }],
    ['docker://127.0.0.1:5000/a/b:t', { transport: 'docker', registry: '127.0.0.1:5000', repository: 'a/b', tag: 't' }],
    ['docker://localhost/x', { transport: 'docker', registry: 'localhost', repository: 'x', tag: 'latest' }],
    [`docker://quay.io/org/img@${D}`, { transport: 'docker', registry: 'quay.io', repository: 'org/img', digest: D }],
    [`docker://quay.io/org/img:t@${D}`, { transport: 'docker', registry: 'quay.io', repository: 'org/img', tag: 't', digest: D }],
    ['docker://alpine', { transport: 'docker', registry: 'registry-1.docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['docker://docker.io/me/app:1', { transport: 'docker', registry: 'registry-1.docker.io', repository: 'me/app', tag: '1' }],
  ])('%s', (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  it.each([
    ['/srv/img', 'missing transport prefix'],
    ['containers-storage:x', 'unsupported transport "containers-storage:"'],
    ['oci:', 'missing layout directory'],
    ['oci:/d:bad tag', 'does not match the ref.name grammar'],
    [`oci:/d@sha256:${'A'.repeat(64)}`, '64 lowercase hex digits'],
    ['oci:/d@sha256:abc', '64 lowercase hex digits'],
    ['docker://Host.io/Repo', 'repository names must be lowercase'],
    ['docker://host.io/a/b:-bad', 'invalid tag "-bad"'],
    ['docker://host.io/', 'missing repository name after the registry host'],
    ['docker:///x', 'third slash'],
    [`docker://h.io/a@md5:${'0'.repeat(32)}`, 'unsupported digest algorithm md5'],
    ['docker://h_x.io:99/a', 'invalid registry host "h_x.io:99"'],
  ])('rejects %s precisely', (text, reason) => {
    let error: unknown;
    try {
      parseReference(text);
    } catch (e) {
      error = e;
    }
    expect(InvalidReferenceError.isInstance(error)).toBe(true);
    expect((error as InvalidReferenceError).reason).toContain(reason);
    expect((error as InvalidReferenceError).reference).toBe(text);
  });

  it('formats back to the same text', () => {
    for (const text of ['oci:/a:b', `oci:/a@${D}`, 'docker://h.io:5000/a/b:c', `docker://h.io/a@${D}`]) {
      expect(formatReference(parseReference(text))).toBe(text);
    }
  });
});
