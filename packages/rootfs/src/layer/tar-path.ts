import { LimitExceededError } from '@metalayer/core';
import { MAX_NAME_LENGTH, MAX_TREE_DEPTH, printableByteString, type ByteString } from '@metalayer/composefs';

/** A tar path resolved the way composefs-rs resolves it. */
export interface TarPath {
  /** Names from the root; empty for the root itself. */
  readonly names: readonly ByteString[];
  /** Whether a `..` component appeared (the path is refused). */
  readonly traversal: boolean;
}

/**
 * Splits a tar path as composefs-rs does (`tar.rs` `make_absolute_path`, then
 * Rust `Path::components` of the absolute result): one leading `/` dropped and
 * one added, so `./usr/bin/`, `usr/bin` and `/usr/bin` are the same path;
 * empty and `.` components vanish anywhere; `/`, `.` and `./` name the root.
 * `..` components are reported in `traversal`.
 */
export function splitTarPath(raw: ByteString): TarPath {
  const names: ByteString[] = [];
  let traversal = false;
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') traversal = true;
    names.push(part);
  }
  if (names.length > MAX_TREE_DEPTH) {
    throw new LimitExceededError({
      limit: 'MAX_TREE_DEPTH',
      maximum: MAX_TREE_DEPTH,
      actual: names.length,
      subject: printableByteString(raw),
    });
  }
  return { names, traversal };
}

/** Why a file name cannot be stored in a composefs image, or undefined when it can. */
export function nameProblem(name: ByteString): string | undefined {
  if (name.includes('\0')) return 'the name contains a NUL byte';
  if (name.length > MAX_NAME_LENGTH) return `the name is ${name.length} bytes, longer than ${MAX_NAME_LENGTH}`;
  return undefined;
}

/** `/a/b` for names `[a, b]`, `/` for none. */
export function joinNames(names: readonly ByteString[]): ByteString {
  return `/${names.join('/')}`;
}
