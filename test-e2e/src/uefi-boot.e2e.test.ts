import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '@metalayer/test-utils';
import { buildTestUki } from './boot/build-test-uki';
import { buildEsp, ESP_DEFAULT_LOADER } from './disks/esp';
import { buildHarnessFixture, composefsKarg, kernelCmdline, type HarnessFixture } from './fixtures/harness-fixture';
import { canBootUefi } from './preflight';
import { assertComposefsBoot } from './qemu/assert-boot';
import { bootQemu } from './qemu/boot-qemu';
import { markValue } from './qemu/serial-console';

const OS_RELEASE = 'ID=metalayer-e2e\nNAME="metalayer e2e"\nPRETTY_NAME="metalayer e2e UKI"\nVERSION_ID=1\n';

// Harness-level UEFI boot: OVMF → systemd-stub → the composefs initramfs, with no
// boot loader in between (the UKI is the removable-media loader). systemd-boot with
// Type #1 and Type #2 entries is covered by the boot matrix, with entries written
// by `metalayer install-kernel` (matrix.e2e.test.ts).
describe.skipIf(!canBootUefi())('UEFI boot of the composefs initramfs', () => {
  const tmp = useTempDir('metalayer-e2e-uefi-');
  let fx: HarnessFixture;
  let uki: string;
  let cmdline: string;

  beforeAll(async () => {
    fx = await buildHarnessFixture({ workDir: tmp });
    cmdline = kernelCmdline(composefsKarg(fx.repo.digest));
    uki = (
      await buildTestUki({
        out: join(tmp, 'uki.efi'),
        kernel: fx.kernel.vmlinuz,
        initrd: fx.initramfs.path,
        cmdline,
        osRelease: OS_RELEASE,
      })
    ).path;
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
});
