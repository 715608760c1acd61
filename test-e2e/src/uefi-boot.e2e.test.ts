import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '@metalayer/test-utils';
import { type1BootFiles, type2BootFiles } from './boot/boot-entries';
import { buildTestUki } from './boot/build-test-uki';
import { buildEsp, ESP_DEFAULT_LOADER, systemdBootFiles } from './disks/esp';
import { buildHarnessFixture, composefsKarg, kernelCmdline, type HarnessFixture } from './fixtures/harness-fixture';
import { canBootUefi } from './preflight';
import { assertComposefsBoot } from './qemu/assert-boot';
import { bootQemu } from './qemu/boot-qemu';
import { markValue } from './qemu/serial-console';

const OS_RELEASE = 'ID=metalayer-e2e\nNAME="metalayer e2e"\nPRETTY_NAME="metalayer e2e UKI"\nVERSION_ID=1\n';
const TOKEN = 'metalayer-e2e';

// Harness-level UEFI boots: OVMF → (systemd-boot →) systemd-stub or the kernel's
// EFI stub → the composefs initramfs. The kernel command line comes from the UKI's
// .cmdline or from the BLS entry's `options`.
describe.skipIf(!canBootUefi())('UEFI boot of the composefs initramfs', () => {
  const tmp = useTempDir('metalayer-e2e-uefi-');
  let fx: HarnessFixture;
  let uki: string;
  let cmdline: string;

  beforeAll(async () => {
    fx = await buildHarnessFixture({ workDir: tmp });
    cmdline = kernelCmdline(composefsKarg(fx.repo.digest));
    uki = (await buildTestUki({ out: join(tmp, 'uki.efi'), kernel: fx.kernel.vmlinuz, initrd: fx.initramfs.path, cmdline, osRelease: OS_RELEASE })).path;
  });

  it('boots a UKI installed as the removable-media loader, straight from OVMF', async () => {
    const esp = await buildEsp({ out: join(tmp, 'esp-uki.img'), files: [{ path: ESP_DEFAULT_LOADER, source: { hostPath: uki } }] });
    const result = await bootQemu({
      name: 'uefi-uki-ovmf',
      boot: { kind: 'uefi' },
      disks: [{ path: fx.dataDisk }, { path: esp.path, readonly: true }],
    });
    assertComposefsBoot(result, 'uefi-uki-ovmf', { digest: fx.repo.digest, marker: fx.os.bigMarker });
    expect(markValue(result.marks, 'cmdline')).toBe(cmdline);
  });

  it('boots a BLS Type #1 entry through systemd-boot (which prepends initrd= to the command line)', async () => {
    const entry = type1BootFiles({
      token: TOKEN,
      kernelVersion: fx.kernel.version,
      kernel: fx.kernel.vmlinuz,
      initrd: fx.initramfs.path,
      options: cmdline,
    });
    const esp = await buildEsp({ out: join(tmp, 'esp-type1.img'), files: [...entry.files, ...systemdBootFiles(entry.entry)] });
    const result = await bootQemu({ name: 'uefi-sdboot-type1', boot: { kind: 'uefi' }, disks: [{ path: fx.dataDisk }, { path: esp.path }] });
    assertComposefsBoot(result, 'uefi-sdboot-type1', { digest: fx.repo.digest, marker: fx.os.bigMarker });
    expect(markValue(result.marks, 'cmdline')).toBe(`initrd=\\${TOKEN}\\${fx.kernel.version}\\initrd ${cmdline}`);
  });

  it('boots the UKI as a Type #2 entry through systemd-boot', async () => {
    const entry = type2BootFiles({ token: TOKEN, kernelVersion: fx.kernel.version, uki });
    const esp = await buildEsp({ out: join(tmp, 'esp-type2.img'), files: [...entry.files, ...systemdBootFiles(entry.entry)] });
    const result = await bootQemu({ name: 'uefi-sdboot-type2', boot: { kind: 'uefi' }, disks: [{ path: fx.dataDisk }, { path: esp.path }] });
    assertComposefsBoot(result, 'uefi-sdboot-type2', { digest: fx.repo.digest, marker: fx.os.bigMarker });
    expect(markValue(result.marks, 'cmdline')).toBe(cmdline);
  });
});
