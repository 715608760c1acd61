import { disposeInstallPlan, planInstall } from './plan-install';
import { executeInstall } from './execute-install';
import type { ExecuteInstallOptions, InstallPayload, InstallResult, PlanInstallOptions } from './install-types';

/**
 * Installs a kernel payload into `$BOOT` the way systemd kernel-install
 * does, after checking that its command line names `expectedDigest`:
 * {@link planInstall} then {@link executeInstall}. A UKI goes to
 * `$BOOT/EFI/Linux/<token>-<kver>[+tries].efi`; a kernel + initrds to
 * `$BOOT/<token>/<kver>/` with `$BOOT/loader/entries/<token>-<kver>[+tries].conf`.
 */
export async function installKernel(payload: InstallPayload, options: PlanInstallOptions & ExecuteInstallOptions): Promise<InstallResult> {
  const plan = await planInstall(payload, options);
  try {
    return await executeInstall(plan, options);
  } finally {
    await disposeInstallPlan(plan);
  }
}
