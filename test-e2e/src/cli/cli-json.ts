// The parts of `metalayer … --json` output the matrix relies on, checked at
// runtime: a renamed or missing field fails with the command's output, not
// with an `undefined` three steps later.

/** A composefs digest as the CLI reports it. */
export interface CliDigest {
  algorithm: 'sha256' | 'sha512';
  erofsVersion: number;
  hex: string;
}

/** `metalayer attach --json`. */
export interface AttachJson {
  strategy: string;
  image: { digest: string };
  artifact: { digest: string } | null;
  composefsDigest: CliDigest;
  kernelArgument: string;
  payload: { kind: 'uki' | 'bls'; kernelVersion: string; cmdlines: Array<{ cmdline: string }> };
}

/** `metalayer verify --json`. */
export interface VerifyJson {
  ok: boolean;
  strategy: string;
  /** Null when nothing matched. */
  matched: CliDigest | null;
  problems: string[];
}

/** `metalayer deploy --json`. */
export interface DeployJson {
  id: string;
  algorithm: string;
  imagePath: string;
  imageWritten: boolean;
  objectsWritten: number;
}

/** `metalayer install-kernel --json`. */
export interface InstallKernelJson {
  strategy: string;
  composefsDigest: CliDigest;
  deployed: { imagePath: string; imageWritten: boolean } | null;
  /** Relative to the boot root: `EFI/Linux/<token>-<kver>.efi` or `loader/entries/<token>-<kver>.conf`. */
  entry: string;
  written: string[];
}

/** `metalayer copy --json`. */
export interface CopyJson {
  digest: string;
  referrers: Array<{ digest: string }>;
}

/** `{ error: { name, message } }`, what every command prints with `--json` when it fails. */
export interface ErrorJson {
  error: { name: string; message: string };
}

type Shape = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'object|null';

function check(json: unknown, what: string, fields: Record<string, Shape>): void {
  for (const [path, shape] of Object.entries(fields)) {
    let value: unknown = json;
    for (const key of path.split('.'))
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    if (!shape.split('|').includes(actual)) {
      throw new Error(`${what} --json: field ${path} is ${actual}, expected ${shape}\n${JSON.stringify(json, null, 1).slice(0, 3000)}`);
    }
  }
}

const DIGEST: Record<string, Shape> = { 'composefsDigest.algorithm': 'string', 'composefsDigest.hex': 'string' };

/** Checks and types `attach --json` output. */
export function attachJson(json: unknown): AttachJson {
  check(json, 'attach', {
    strategy: 'string',
    'image.digest': 'string',
    artifact: 'object|null',
    kernelArgument: 'string',
    ...DIGEST,
    'payload.kind': 'string',
    'payload.cmdlines': 'array',
  });
  return json as AttachJson;
}

/** Checks and types `verify --json` output. */
export function verifyJson(json: unknown): VerifyJson {
  check(json, 'verify', { ok: 'boolean', strategy: 'string', matched: 'object|null', problems: 'array' });
  return json as VerifyJson;
}

/** Checks and types `deploy --json` output. */
export function deployJson(json: unknown): DeployJson {
  check(json, 'deploy', { id: 'string', algorithm: 'string', imagePath: 'string', imageWritten: 'boolean', objectsWritten: 'number' });
  return json as DeployJson;
}

/** Checks and types `install-kernel --json` output. */
export function installKernelJson(json: unknown): InstallKernelJson {
  check(json, 'install-kernel', { strategy: 'string', ...DIGEST, deployed: 'object|null', entry: 'string', written: 'array' });
  return json as InstallKernelJson;
}

/** Checks and types `copy --json` output. */
export function copyJson(json: unknown): CopyJson {
  check(json, 'copy', { digest: 'string', referrers: 'array' });
  return json as CopyJson;
}

/** Checks and types the `--json` error document. */
export function errorJson(json: unknown): ErrorJson {
  check(json, 'error', { 'error.name': 'string', 'error.message': 'string' });
  return json as ErrorJson;
}
