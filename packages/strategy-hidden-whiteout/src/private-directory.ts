/**
 * The hidden-whiteout layer format: where the payload goes, and the fixed
 * metadata of every entry we write. Changing any of these changes the layer
 * bytes (and digests) of every image attached from then on.
 */

/**
 * The top-level directory the meta layer adds and the whiteout layer hides.
 * A dot name keeps it out of casual listings; it is laid out like `$BOOT`.
 */
export const PRIVATE_DIRECTORY = '.metalayer';

/** OCI whiteout prefix (image-spec layer.md "Whiteouts"). */
export const WHITEOUT_PREFIX = '.wh.';

/** The one entry of the whiteout layer: an explicit whiteout of the private directory, at the root. */
export const PRIVATE_DIRECTORY_WHITEOUT = `${WHITEOUT_PREFIX}${PRIVATE_DIRECTORY}`;

/** UKIs inside the private directory, as on `$BOOT` (Boot Loader Specification type #2). */
export const UKI_DIRECTORY = 'EFI/Linux';

/** Type #1 entries inside the private directory, as on `$BOOT`. */
export const ENTRIES_DIRECTORY = 'loader/entries';

/** Suffixes `$BOOT` tools look for. */
export const UKI_SUFFIX = '.efi';
export const ENTRY_SUFFIX = '.conf';

/**
 * mtime of every entry we write: fixed so the same payload gives the same
 * layer bytes. Nothing sees it: the whiteout removes the entries from every
 * merged view.
 */
export const ENTRY_MTIME = 0;

/** Modes and owner of what we write (what `kernel-install` uses on `$BOOT`). */
export const DIRECTORY_MODE = 0o755;
export const FILE_MODE = 0o644;
export const ENTRY_OWNER = 0;

/** Most entries a meta layer may hold (a UKI needs 4, a BLS set 7 plus one per initrd). */
export const MAX_META_LAYER_ENTRIES = 256;

/** Kernel-install's fallback entry token when os-release names no `IMAGE_ID`/`ID` (os-release's own default `ID`). */
export const DEFAULT_ENTRY_TOKEN = 'linux';
