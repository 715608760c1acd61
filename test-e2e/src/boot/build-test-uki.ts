import { buildUki } from '@metalayer/boot';
import { withFileSource, writeSourceFile } from '@metalayer/boot/node';
import { FIRMWARE } from '../qemu/firmware';

/** Options of {@link buildTestUki}. */
export interface TestUkiOptions {
  out: string;
  kernel: string;
  initrd: string;
  /** The embedded `.cmdline`. */
  cmdline: string;
  /** The `.osrel` text (os-release format). */
  osRelease: string;
  /** Default: systemd-stub from systemd-boot-efi. */
  stub?: string;
}

/**
 * Builds a UKI with `@metalayer/boot`'s ukify-style builder from files on disk
 * (stub, kernel, initramfs are streamed, not read whole) and writes it to `out`.
 * Returns the section names in table order.
 */
export async function buildTestUki(options: TestUkiOptions): Promise<{ path: string; sections: string[] }> {
  return withFileSource(options.stub ?? FIRMWARE.stub, (stub) =>
    withFileSource(options.kernel, (linux) =>
      withFileSource(options.initrd, async (initrd) => {
        const uki = await buildUki({ stub, linux, initrds: [initrd], cmdline: options.cmdline, osRelease: options.osRelease });
        await writeSourceFile(options.out, uki.source);
        return { path: options.out, sections: uki.sections.map((s) => s.name) };
      }),
    ),
  );
}
