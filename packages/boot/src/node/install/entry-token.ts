import { BOOT_FILE_NAME, checkBootFileName } from '../../bls/bls-path';
import { BootLayoutError } from '../../errors/index';
import type { InstallConfig } from './install-config';

/** Where the entry token came from. */
export type EntryTokenSource = 'literal' | 'entry-token-file' | 'machine-id' | 'os-image-id' | 'os-id';

/** A resolved entry token. */
export interface EntryToken {
  readonly token: string;
  readonly source: EntryTokenSource;
}

/**
 * Resolves the entry token like `kernel-install --entry-token=` (systemd
 * src/shared/boot-entry.c). `spec` is `auto` (default), `machine-id`,
 * `os-id`, `os-image-id`, `literal:STRING`, or a plain string taken
 * literally. `auto` tries /etc/kernel/entry-token (then
 * /usr/lib/kernel/entry-token), the machine ID, os-release `IMAGE_ID`, then
 * `ID`; unlike kernel-install it never invents a random ID, because an entry
 * named after one could not be found again.
 */
export function resolveEntryToken(spec: string | undefined, config: InstallConfig, bootRoot = config.root): EntryToken {
  const valid = (v: string | undefined) => (v !== undefined && BOOT_FILE_NAME.test(v) && !v.startsWith('.') ? v : undefined);
  const fail = (message: string): never => {
    throw new BootLayoutError({
      bootRoot,
      message,
      hint: 'pass an entry token (e.g. --entry-token=literal:myos) or set /etc/kernel/entry-token',
    });
  };
  const machineId = () => (config.machineId ? { token: config.machineId, source: 'machine-id' as const } : undefined);
  const imageId = () =>
    valid(config.osRelease.IMAGE_ID) ? { token: config.osRelease.IMAGE_ID!, source: 'os-image-id' as const } : undefined;
  const osId = () => (valid(config.osRelease.ID) ? { token: config.osRelease.ID!, source: 'os-id' as const } : undefined);
  switch (spec ?? 'auto') {
    case 'auto': {
      const fromFile = valid(config.entryToken);
      if (fromFile) return { token: fromFile, source: 'entry-token-file' };
      return (
        machineId() ??
        imageId() ??
        osId() ??
        fail('no entry token: no /etc/kernel/entry-token, no machine ID, and os-release has no IMAGE_ID= or ID=')
      );
    }
    case 'machine-id':
      return machineId() ?? fail('--entry-token=machine-id but no machine ID is set');
    case 'os-image-id':
      return imageId() ?? fail('--entry-token=os-image-id but os-release has no valid IMAGE_ID=');
    case 'os-id':
      return osId() ?? fail('--entry-token=os-id but os-release has no valid ID=');
    default: {
      const literal = spec!.startsWith('literal:') ? spec!.slice('literal:'.length) : spec!;
      return { token: checkBootFileName(literal, 'entry token'), source: 'literal' };
    }
  }
}
