import { FIRMWARE } from './firmware';

/** Direct kernel boot: QEMU loads the bzImage and initramfs itself (SeaBIOS, no UEFI). */
export interface DirectBoot {
  kind: 'direct';
  kernel: string;
  initrd?: string;
  /** The kernel command line. */
  append: string;
}

/** UEFI boot through OVMF from the disks (an ESP with `\EFI\BOOT\BOOTX64.EFI`). */
export interface UefiBoot {
  kind: 'uefi';
  /**
   * `pflash` (default): OVMF code read-only + a per-run copy of the variable store,
   * like a real machine. `bios`: `-bios OVMF.fd`, variables in RAM only.
   */
  firmware?: 'pflash' | 'bios';
}

/** How the VM starts. */
export type QemuBoot = DirectBoot | UefiBoot;

/** A disk attached as virtio-blk (`/dev/vda`, `/dev/vdb`, … in attach order). */
export interface QemuDisk {
  path: string;
  /** Attach read-only (`readonly=on`). */
  readonly?: boolean;
  format?: 'raw' | 'qcow2';
}

/** Everything {@link qemuArgs} needs. */
export interface QemuArgsInput {
  boot: QemuBoot;
  disks: readonly QemuDisk[];
  accel: 'tcg' | 'kvm';
  memoryMiB: number;
  cpus: number;
  /** Discard every disk write at exit (`-snapshot`), including the guest's `fsverity enable`. */
  snapshot: boolean;
  /** The per-run writable OVMF variable store (pflash boots only). */
  varsPath?: string;
  extraArgs?: readonly string[];
}

/** Rejects characters QEMU's `-drive` option parser would misread in a path. */
function driveValue(path: string): string {
  if (path.includes(',')) throw new Error(`QEMU drive paths may not contain ',': ${path}`);
  return path;
}

/**
 * The QEMU argument vector. No NIC, no display, no option ROMs (`-nodefaults`),
 * the first serial port on stdio, and `-no-reboot` so a guest panic (with
 * `panic=-1`) or reboot ends QEMU instead of looping.
 */
export function qemuArgs(input: QemuArgsInput): string[] {
  const args = ['-accel', input.accel, '-m', String(input.memoryMiB), '-smp', String(input.cpus)];
  args.push('-nodefaults', '-display', 'none', '-serial', 'stdio', '-no-reboot');
  if (input.snapshot) args.push('-snapshot');
  if (input.boot.kind === 'direct') {
    args.push('-kernel', input.boot.kernel, '-append', input.boot.append);
    if (input.boot.initrd) args.push('-initrd', input.boot.initrd);
  } else {
    args.push('-machine', 'q35');
    if ((input.boot.firmware ?? 'pflash') === 'pflash') {
      if (!input.varsPath) throw new Error('pflash UEFI boot needs a per-run variable store copy');
      args.push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${driveValue(FIRMWARE.ovmfCode)}`);
      args.push('-drive', `if=pflash,format=raw,unit=1,file=${driveValue(input.varsPath)}`);
    } else {
      args.push('-bios', FIRMWARE.ovmfBios);
    }
  }
  for (const disk of input.disks) {
    const ro = disk.readonly ? ',readonly=on' : '';
    args.push('-drive', `file=${driveValue(disk.path)},format=${disk.format ?? 'raw'},if=virtio${ro}`);
  }
  args.push(...(input.extraArgs ?? []));
  return args;
}
