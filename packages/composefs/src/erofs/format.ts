/**
 * On-disk constants of composefs EROFS images (Linux `fs/erofs/erofs_fs.h`,
 * libcomposefs `lcfs-erofs.h`; composefs-image-format.md §5.6). Little endian.
 */

/** EROFS block size (blkszbits 12). */
export const EROFS_BLOCK_SIZE = 4096;
export const EROFS_BLOCK_BITS = 12;
/** Inode slot size: nid = byte offset / 32. */
export const EROFS_SLOT_SIZE = 32;

// composefs header at offset 0 (struct lcfs_erofs_header_s, 32 bytes).
export const COMPOSEFS_MAGIC = 0xd078629a;
export const COMPOSEFS_HEADER_VERSION = 1;
export const COMPOSEFS_HEADER_SIZE = 32;
export const CFS_HDR_MAGIC = 0; // u32
export const CFS_HDR_VERSION = 4; // u32, LCFS_EROFS_VERSION
export const CFS_HDR_FLAGS = 8; // u32
export const CFS_HDR_COMPOSEFS_VERSION = 12; // u32
/** Header flag: some inode has a POSIX ACL xattr. */
export const COMPOSEFS_FLAG_HAS_ACL = 1;
/** Highest composefs format version this package writes (C `LCFS_VERSION_MAX`). */
export const COMPOSEFS_VERSION_MAX = 1;

// struct erofs_super_block at offset 1024 (128 bytes).
export const EROFS_SUPER_OFFSET = 1024;
export const EROFS_SUPER_SIZE = 128;
export const EROFS_SUPER_MAGIC_V1 = 0xe0f5e1e2;
export const SB_MAGIC = 0; // u32
export const SB_CHECKSUM = 4; // u32
export const SB_FEATURE_COMPAT = 8; // u32
export const SB_BLKSZBITS = 12; // u8
export const SB_EXTSLOTS = 13; // u8
export const SB_ROOT_NID = 14; // u16
export const SB_INOS = 16; // u64
export const SB_BUILD_TIME = 24; // u64
export const SB_BUILD_TIME_NSEC = 32; // u32
export const SB_BLOCKS = 36; // u32
export const SB_META_BLKADDR = 40; // u32
export const SB_XATTR_BLKADDR = 44; // u32
export const SB_FEATURE_INCOMPAT = 80; // u32
export const EROFS_FEATURE_COMPAT_MTIME = 2;
export const EROFS_FEATURE_COMPAT_XATTR_FILTER = 4;
/** First inode byte: right after the superblock. */
export const EROFS_INODES_START = EROFS_SUPER_OFFSET + EROFS_SUPER_SIZE;

// struct erofs_inode_compact (32 bytes) / erofs_inode_extended (64 bytes).
export const EROFS_INODE_COMPACT_SIZE = 32;
export const EROFS_INODE_EXTENDED_SIZE = 64;
export const I_FORMAT = 0; // u16: datalayout << 1 | extended
export const I_XATTR_ICOUNT = 2; // u16
export const I_MODE = 4; // u16
export const IC_NLINK = 6; // u16 (compact only)
export const IC_SIZE = 8; // u32
export const I_U = 16; // u32: raw_blkaddr | rdev | chunk format
export const I_INO = 20; // u32
export const IC_UID = 24; // u16
export const IC_GID = 26; // u16
export const IE_SIZE = 8; // u64
export const IE_UID = 24; // u32
export const IE_GID = 28; // u32
export const IE_MTIME = 32; // u64
export const IE_MTIME_NSEC = 40; // u32
export const IE_NLINK = 44; // u32

/** `i_format` data layouts. */
export const EROFS_INODE_FLAT_PLAIN = 0;
export const EROFS_INODE_FLAT_INLINE = 2;
export const EROFS_INODE_CHUNK_BASED = 4;
/** Chunk format: low 5 bits = chunkbits - 12. */
export const EROFS_CHUNK_FORMAT_BLKBITS_MASK = 0x1f;
/** Chunk map entry of a hole. */
export const EROFS_NULL_ADDR = 0xffffffff;
/** Most chunk indexes a composefs external file may have (`LCFS_MAX_NONINLINE_CHUNKS`). */
export const MAX_CHUNK_COUNT = 1024;

// struct erofs_xattr_ibody_header (12 bytes) and erofs_xattr_entry (4 bytes + name + value).
export const XATTR_IBODY_HEADER_SIZE = 12;
export const XATTR_H_NAME_FILTER = 0; // u32
export const XATTR_H_SHARED_COUNT = 4; // u8
export const XATTR_ENTRY_SIZE = 4;
/** An inode references at most this many shared xattrs (`EROFS_XATTR_LONG_PREFIX`, 0x80). */
export const MAX_SHARED_XATTRS_PER_INODE = 0x80;
export const EROFS_XATTR_FILTER_SEED = 0x25bbe08f;
export const EROFS_XATTR_FILTER_BITS = 32;
export const EROFS_XATTR_FILTER_DEFAULT = 0xffffffff;

// struct erofs_dirent (12 bytes): u64 nid, u16 nameoff, u8 file_type, u8 reserved.
export const EROFS_DIRENT_SIZE = 12;
export const DIRENT_NID = 0;
export const DIRENT_NAMEOFF = 8;
export const DIRENT_FILE_TYPE = 10;

/** Dirent `file_type` values. */
export const EROFS_FT_REG_FILE = 1;
export const EROFS_FT_DIR = 2;
export const EROFS_FT_CHRDEV = 3;
export const EROFS_FT_BLKDEV = 4;
export const EROFS_FT_FIFO = 5;
export const EROFS_FT_SOCK = 6;
export const EROFS_FT_SYMLINK = 7;
