import { InvalidReferenceError } from './errors/index';
import { digestProblem } from './digest';

/** An image in an OCI layout directory: `oci:DIR[:TAG]` or `oci:DIR@DIGEST`. */
export interface LayoutReference {
  transport: 'oci';
  /** The layout directory as written (relative paths are resolved by the caller). */
  path: string;
  tag?: string;
  digest?: string;
}

/** An image in a registry: `docker://HOST[:PORT]/REPO[:TAG][@DIGEST]`. */
export interface RegistryReference {
  transport: 'docker';
  /** Registry host (and port) as used in URLs; `docker.io` becomes `registry-1.docker.io`. */
  registry: string;
  /** Repository path; a one-component Docker Hub name gets the `library/` prefix. */
  repository: string;
  /** The tag; `latest` when neither tag nor digest was given. */
  tag?: string;
  digest?: string;
}

/** A parsed image reference in skopeo syntax. */
export type ImageReference = LayoutReference | RegistryReference;

// distribution/reference grammar (reference/regexp.go), restated.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
/** image-spec `annotations.md`: grammar of `org.opencontainers.image.ref.name`. */
const REF_NAME = /^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$/;
const MAX_NAME_LENGTH = 255;
const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';

/** Whether `tag` is a valid registry tag (`[\w][\w.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** Whether `name` is a valid layout tag (`org.opencontainers.image.ref.name` grammar). */
export function isValidRefName(name: string): boolean {
  return REF_NAME.test(name);
}

function fail(reference: string, reason: string): never {
  throw new InvalidReferenceError({
    reference,
    reason,
    hint: 'expected oci:DIR[:TAG], oci:DIR@sha256:HEX or docker://HOST[:PORT]/REPO[:TAG|@DIGEST]',
  });
}

/** Splits a trailing `@alg:hex` digest off `rest`, validating it. */
function splitDigestSuffix(reference: string, rest: string): { rest: string; digest?: string } {
  const match = /@([a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+)$/.exec(rest);
  if (!match) return { rest };
  const digest = match[1] as string;
  const problem = digestProblem(digest);
  if (problem) fail(reference, problem);
  return { rest: rest.slice(0, match.index), digest };
}

function parseLayout(reference: string, body: string): LayoutReference {
  const { rest, digest } = splitDigestSuffix(reference, body);
  if (digest) {
    if (rest === '') fail(reference, 'missing layout directory before "@"');
    return { transport: 'oci', path: rest, digest };
  }
  // containers/image (ocilayout) splits at the first colon: the directory cannot contain one.
  const colon = body.indexOf(':');
  const path = colon === -1 ? body : body.slice(0, colon);
  const tag = colon === -1 ? undefined : body.slice(colon + 1);
  if (path === '') fail(reference, 'missing layout directory after "oci:"');
  if (tag !== undefined && !isValidRefName(tag)) {
    fail(reference, `tag ${JSON.stringify(tag)} does not match the ref.name grammar (alphanumerics joined by - . _ : @ + or /)`);
  }
  return tag === undefined ? { transport: 'oci', path } : { transport: 'oci', path, tag };
}

function parseRegistry(reference: string, body: string): RegistryReference {
  if (body.startsWith('/')) fail(reference, 'expected docker://HOST/REPO, got a third slash');
  const { rest, digest } = splitDigestSuffix(reference, body);
  let name = rest;
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    name = rest.slice(0, lastColon);
    tag = rest.slice(lastColon + 1);
    if (!isValidTag(tag)) fail(reference, `invalid tag ${JSON.stringify(tag)}: must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
  }
  if (name === '') fail(reference, 'missing repository name');
  if (name.length > MAX_NAME_LENGTH) fail(reference, `repository name longer than ${MAX_NAME_LENGTH} characters`);
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  let registry = DOCKER_HUB;
  let repository = name;
  // distribution's rule: the first component is a host if it has a dot or a port, or is localhost.
  if (slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    registry = first;
    repository = name.slice(slash + 1);
    if (!DOMAIN.test(registry)) fail(reference, `invalid registry host ${JSON.stringify(registry)}`);
  }
  if (repository === '') fail(reference, 'missing repository name after the registry host');
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      const why = /[A-Z]/.test(component) ? 'repository names must be lowercase' : 'allowed: a-z 0-9 separated by . _ __ or -';
      fail(reference, `invalid repository component ${JSON.stringify(component)}: ${why}`);
    }
  }
  if (registry === DOCKER_HUB) {
    registry = DOCKER_HUB_API;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { transport: 'docker', registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * Parses an image reference in skopeo syntax: `oci:DIR[:TAG]`, `oci:DIR@sha256:HEX`,
 * `docker://HOST[:PORT]/REPO[:TAG|@DIGEST]`. Throws {@link InvalidReferenceError}
 * with the exact reason.
 */
export function parseReference(reference: string): ImageReference {
  if (reference.startsWith('oci:')) return parseLayout(reference, reference.slice('oci:'.length));
  if (reference.startsWith('docker://')) return parseRegistry(reference, reference.slice('docker://'.length));
  const transport = /^([a-z-]+):/.exec(reference)?.[1];
  if (transport) fail(reference, `unsupported transport "${transport}:" (supported: oci:, docker://)`);
  return fail(reference, 'missing transport prefix (oci: or docker://)');
}

/** Formats a reference back into skopeo syntax. */
export function formatReference(ref: ImageReference): string {
  const suffix = `${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  if (ref.transport === 'oci') return `oci:${ref.path}${ref.digest ? `@${ref.digest}` : ref.tag !== undefined ? `:${ref.tag}` : ''}`;
  return `docker://${ref.registry}/${ref.repository}${suffix}`;
}
