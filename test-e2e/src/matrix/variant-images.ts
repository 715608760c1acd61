import { INLINE_LIMIT } from '../composefs/build-repository';
import { writeOciImage, type WrittenOciImage } from '../oci/write-oci-image';
import { file, type Tree } from '../tree/fs-tree';
import { tinyOs } from '../tree/tiny-os';

/** An OS image of the matrix: the tiny OS plus one layer that makes it tell which image it is. */
export interface VariantImage {
  /** Tag in the images layout, e.g. `kernel-layer` or `absent`. */
  name: string;
  image: WrittenOciImage;
  /** `/etc/marker-big` of this image: an external object, read by the booted root. */
  bigMarker: string;
}

/** `/etc/marker-big` of variant `name`: longer than the inline limit, so reading it checks fs-verity. */
export function variantMarker(name: string): string {
  const marker = `metalayer-e2e-big-marker:image=${name}:object-read-through-overlayfs-with-verity-require`;
  if (marker.length <= INLINE_LIMIT) throw new Error(`marker of ${name} would be stored inline`);
  return marker;
}

/** The tiny OS's three layers plus a fourth that writes the variant's marker and name. */
export function variantLayers(name: string): { layers: Tree[]; layerNames: string[]; bigMarker: string } {
  const os = tinyOs();
  const bigMarker = variantMarker(name);
  return {
    layers: [...os.layers, [file('/etc/marker-big', bigMarker), file('/etc/variant', `${name}\n`)]],
    layerNames: [...os.layerNames, `variant ${name}`],
    bigMarker,
  };
}

/**
 * Writes one image per name into the OCI layout `dir`, tagged with the name.
 * Each has its own composefs digest, so a boot that mounted the wrong image
 * shows another marker (and another digest) than the kernel it booted was sealed for.
 */
export async function writeVariantImages(dir: string, names: readonly string[]): Promise<Map<string, VariantImage>> {
  const out = new Map<string, VariantImage>();
  for (const name of names) {
    const { layers, layerNames, bigMarker } = variantLayers(name);
    out.set(name, { name, bigMarker, image: await writeOciImage({ dir, tag: name, layers, layerNames }) });
  }
  return out;
}
