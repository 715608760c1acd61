import { existsSync } from 'node:fs';

/** Host files the UEFI boots need (Debian `ovmf` and `systemd-boot-efi`). */
export const FIRMWARE = {
  /** OVMF code, 4 MiB flash layout: mapped read-only as pflash unit 0. */
  ovmfCode: '/usr/share/OVMF/OVMF_CODE_4M.fd',
  /** The matching variable store template; each run gets a writable copy (pflash unit 1). */
  ovmfVars: '/usr/share/OVMF/OVMF_VARS_4M.fd',
  /** Combined image for `-bios` (variables live in RAM only; about 1 s faster). */
  ovmfBios: '/usr/share/ovmf/OVMF.fd',
  /** systemd-stub, the UKI's PE stub. */
  stub: '/usr/lib/systemd/boot/efi/linuxx64.efi.stub',
  /** systemd-boot, installed as the removable-media loader `\EFI\BOOT\BOOTX64.EFI`. */
  systemdBoot: '/usr/lib/systemd/boot/efi/systemd-bootx64.efi',
} as const;

/** Firmware files missing on this host (empty when UEFI boots can run). */
export function missingFirmware(): string[] {
  return Object.values(FIRMWARE).filter((path) => !existsSync(path));
}
