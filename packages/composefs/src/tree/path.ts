import { LimitExceededError } from '@metalayer/core';
import { InvalidTreeError } from '../errors/invalid-tree-error';
import { MAX_NAME_LENGTH, MAX_TREE_DEPTH } from '../limits';
import { isByteString, printableByteString, type ByteString } from './byte-string';

/** Whether `name` is a valid file name: 1..255 bytes, no `/` or NUL, not `.` or `..`. */
export function isValidName(name: ByteString): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_NAME_LENGTH &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('/') &&
    !name.includes('\0') &&
    isByteString(name)
  );
}

/** Throws unless `name` is a valid file name ({@link isValidName}), saying why. */
export function validateName(name: ByteString, path: ByteString = name): void {
  if (isValidName(name)) return;
  const fail = (message: string) => new InvalidTreeError({ reason: 'invalid-name', path: printableByteString(path), message });
  if (name.length === 0) throw fail('empty file name');
  if (name === '.' || name === '..') throw fail(`'${name}' is not a valid entry name`);
  if (name.length > MAX_NAME_LENGTH) {
    throw fail(`name is ${name.length} bytes, longer than ${MAX_NAME_LENGTH}`);
  }
  if (name.includes('/') || name.includes('\0')) throw fail('name contains / or NUL');
  if (!isByteString(name)) throw fail('name is not a byte string (char code above 255)');
}

/**
 * Splits an absolute or relative path into validated names. Leading slashes
 * are optional; `/` and the empty string are the root. Empty components
 * (`a//b`, trailing `/`), `.` and `..` are rejected.
 */
export function splitPath(path: ByteString): ByteString[] {
  let start = 0;
  while (start < path.length && path.charCodeAt(start) === 0x2f) start++;
  if (start === path.length) return [];
  const names = path.slice(start).split('/');
  if (names.length > MAX_TREE_DEPTH) {
    throw new LimitExceededError({
      limit: 'MAX_TREE_DEPTH',
      maximum: MAX_TREE_DEPTH,
      actual: names.length,
      subject: printableByteString(path),
    });
  }
  for (const name of names) validateName(name, path);
  return names;
}

/** `parent/name`, with the root written `/`. */
export function joinPath(parent: ByteString, name: ByteString): ByteString {
  return parent === '/' || parent === '' ? `/${name}` : `${parent}/${name}`;
}
