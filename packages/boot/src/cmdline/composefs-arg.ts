import { ComposefsArgError } from '../errors/index';
import { parseKernelArg, replaceKernelArgs, tokenizeKernelCmdline, type KernelArg } from './kernel-cmdline';

// Kernel argument forms read by composefs-setup-root (composefs-rs
// crates/composefs-boot/src/cmdline.rs; composefs-rs-semantics.md §6):
//   composefs.digest=[?]<v1|v2>-<sha256|sha512>-12:<hex>   (the dot: userspace-only)
//   composefs=[?]<hex>                                       (legacy, V2; algorithm from length)
// `?` right after `=` makes fs-verity optional (insecure, development only).

/** Key of the current form. */
export const COMPOSEFS_DIGEST_KEY = 'composefs.digest';
/** Key of the legacy form. */
export const COMPOSEFS_LEGACY_KEY = 'composefs';
/** The only fs-verity block size composefs boots with: log2(4096). */
export const COMPOSEFS_LG_BLOCK_SIZE = 12;

/** A composefs image digest: the fs-verity digest of the EROFS image. */
export interface ComposefsDigest {
  readonly algorithm: 'sha256' | 'sha512';
  /** Lowercase hex: 64 digits for sha256, 128 for sha512. */
  readonly hex: string;
  /** EROFS format the digest belongs to; informational when matching (the hex identifies the image). */
  readonly version?: 'v1' | 'v2';
}

/** A composefs kernel argument, parsed. */
export interface ComposefsDigestArg extends ComposefsDigest {
  readonly version: 'v1' | 'v2';
  /** `?` form: fs-verity not enforced. */
  readonly insecure: boolean;
  /** How it is (or will be) written: `digest` = `composefs.digest=`, `legacy` = `composefs=`. */
  readonly form: 'digest' | 'legacy';
}

/** A digest to write as a kernel argument, with optional form (default `digest`) and `?` marker. */
export interface ComposefsArgSpec extends ComposefsDigest {
  readonly insecure?: boolean;
  readonly form?: 'digest' | 'legacy';
}

const HEX_LENGTH = { sha256: 64, sha512: 128 } as const;

/** True when `arg` is a composefs argument of either form. */
export function isComposefsKernelArg(arg: KernelArg): boolean {
  return arg.key === COMPOSEFS_DIGEST_KEY || arg.key === COMPOSEFS_LEGACY_KEY;
}

/**
 * Parses one argument (`composefs.digest=…` or `composefs=…`). Returns
 * undefined for any other argument; throws `ComposefsArgError` for a
 * composefs argument setup-root would reject.
 */
export function parseComposefsArg(raw: string): ComposefsDigestArg | undefined {
  const arg = parseKernelArg(raw);
  if (!isComposefsKernelArg(arg)) return undefined;
  const fail = (message: string): never => {
    throw new ComposefsArgError({ argument: raw, message });
  };
  if (arg.value === undefined || arg.value.length === 0) return fail('has no value');
  const insecure = arg.value.startsWith('?');
  const value = insecure ? arg.value.slice(1) : arg.value;
  if (arg.key === COMPOSEFS_LEGACY_KEY) {
    const algorithm = value.length === HEX_LENGTH.sha256 ? 'sha256' : value.length === HEX_LENGTH.sha512 ? 'sha512' : undefined;
    if (!algorithm) return fail(`digest has ${value.length} characters; expected 64 (sha256) or 128 (sha512) hex digits`);
    return { version: 'v2', algorithm, hex: checkHex(value, raw), insecure, form: 'legacy' };
  }
  const m = /^([^-]*)-([^-]*)-([^:]*):(.*)$/.exec(value);
  if (!m) return fail('expected <version>-<algorithm>-<lg block size>:<hex>');
  const [, version, algorithm, lg, hex] = m as unknown as [string, string, string, string, string];
  if (version !== 'v1' && version !== 'v2') return fail(`unsupported format version ${JSON.stringify(version)} (v1 or v2)`);
  if (algorithm !== 'sha256' && algorithm !== 'sha512')
    return fail(`unsupported algorithm ${JSON.stringify(algorithm)} (sha256 or sha512)`);
  if (lg !== String(COMPOSEFS_LG_BLOCK_SIZE)) return fail(`unsupported block size 2^${lg} (only 2^12 = 4096)`);
  if (hex.length !== HEX_LENGTH[algorithm])
    return fail(`${algorithm} digest has ${hex.length} hex digits; expected ${HEX_LENGTH[algorithm]}`);
  return { version, algorithm, hex: checkHex(hex, raw), insecure, form: 'digest' };
}

function checkHex(hex: string, raw: string): string {
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new ComposefsArgError({ argument: raw, message: 'digest is not hexadecimal' });
  return hex.toLowerCase();
}

/**
 * Writes a composefs argument. The default form is `composefs.digest=`;
 * `legacy` writes `composefs=<hex>` (read by every composefs-rs and bootc).
 */
export function formatComposefsArg(arg: ComposefsArgSpec): string {
  const hex = arg.hex.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || hex.length !== HEX_LENGTH[arg.algorithm]) {
    throw new ComposefsArgError({ argument: arg.hex, message: `not a ${arg.algorithm} digest (${HEX_LENGTH[arg.algorithm]} hex digits)` });
  }
  const q = arg.insecure ? '?' : '';
  if (arg.form === 'legacy') return `${COMPOSEFS_LEGACY_KEY}=${q}${hex}`;
  return `${COMPOSEFS_DIGEST_KEY}=${q}${arg.version ?? 'v1'}-${arg.algorithm}-${COMPOSEFS_LG_BLOCK_SIZE}:${hex}`;
}

/** Every composefs argument on the command line, in order; throws on a malformed one. */
export function findComposefsArgs(cmdline: string): ComposefsDigestArg[] {
  const found: ComposefsDigestArg[] = [];
  for (const token of tokenizeKernelCmdline(cmdline)) {
    const arg = parseComposefsArg(token.raw);
    if (arg) found.push(arg);
  }
  return found;
}

/**
 * Replaces every composefs argument with `args` (written where the first one
 * stood) or appends them when there is none; other arguments are untouched.
 */
export function setComposefsArgs(cmdline: string, args: ComposefsArgSpec | readonly ComposefsArgSpec[]): string {
  const list = (Array.isArray(args) ? args : [args]) as readonly ComposefsArgSpec[];
  return replaceKernelArgs(
    cmdline,
    isComposefsKernelArg,
    list.map((a) => formatComposefsArg(a)),
  );
}

/** Whether two digests name the same image (same algorithm and hex; the format version is implied by the hex). */
export function sameComposefsDigest(a: ComposefsDigest, b: ComposefsDigest): boolean {
  return a.algorithm === b.algorithm && a.hex.toLowerCase() === b.hex.toLowerCase();
}

/** Text of a digest for messages: `v1-sha256-12:<hex>` when the version is known, else `sha256:<hex>`. */
export function describeComposefsDigest(d: ComposefsDigest & { insecure?: boolean }): string {
  const q = d.insecure ? '?' : '';
  return d.version ? `${q}${d.version}-${d.algorithm}-${COMPOSEFS_LG_BLOCK_SIZE}:${d.hex}` : `${q}${d.algorithm}:${d.hex}`;
}
