#!/bin/sh
# /init of the e2e initramfs: what composefs-setup-root does, in busybox sh.
# Every step prints a "MARK ..." line on the serial console for the harness;
# every failure prints "MARK FAIL <reason>" and powers off.
export PATH=/bin
REPO=/sysroot/composefs
DISK_LABEL=cfsdisk

mark() { echo "MARK $*"; }
fail() {
	echo "MARK FAIL $*"
	dmesg 2>/dev/null | tail -n 15 | sed 's/^/[dmesg] /'
	sync
	poweroff -f
	sleep 10
	exit 1
}

mount -t proc proc /proc || fail "mount /proc"
mount -t sysfs sysfs /sys || fail "mount /sys"
mount -t devtmpfs devtmpfs /dev || fail "mount /dev"
mark initramfs-start uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r)

. /lib/cfs-lib.sh

# 1. Modules, in the dependency order the harness resolved from modules.dep.
count=0
while read -r module; do
	[ -n "$module" ] || continue
	insmod "/lib/modules/$module.ko" || fail "insmod $module"
	count=$((count + 1))
done </lib/modules/load-order
mark modules-loaded count=$count

# 2. The composefs kernel arguments, by word (systemd-boot prepends initrd=...).
CMDLINE=$(cat /proc/cmdline)
printf 'MARK cmdline %s\n' "$CMDLINE"
TOKENS=$(cfs_parse_cmdline "$CMDLINE") || fail "bad composefs kernel argument: $TOKENS"
[ -n "$TOKENS" ] || fail "no composefs= or composefs.digest= on the kernel command line"
while read -r alg hex insecure ver; do
	mark composefs-karg alg=$alg digest=$hex insecure=$insecure version=$ver
done <<EOF
$TOKENS
EOF

# 3. The repository disk, by label.
tries=0
until DEV=$(findfs LABEL=$DISK_LABEL 2>/dev/null); do
	tries=$((tries + 1))
	[ $tries -lt 100 ] || fail "disk LABEL=$DISK_LABEL not found after 10 s"
	sleep 0.1
done
mark disk dev=$DEV
mount -t ext4 -o rw "$DEV" /sysroot || fail "mount ext4 $DEV on /sysroot"
[ -d "$REPO/images" ] || fail "no composefs repository at $REPO (images/ missing)"

# 4. The first image named on the command line that exists in the repository.
ALG= HEX= INSECURE=
while read -r alg hex insecure ver; do
	if [ -e "$REPO/images/$hex" ]; then
		ALG=$alg HEX=$hex INSECURE=$insecure
		break
	fi
	mark image-missing digest=$hex
done <<EOF
$TOKENS
EOF
[ -n "$HEX" ] || fail "image not found: none of the command line digests is in $REPO/images"
IMAGE=$REPO/images/$HEX
mark image path=$IMAGE alg=$ALG

# 5. First boot is the install step: enable fs-verity on the image and every
# object that lacks it (idempotent: a second boot enables nothing).
VERITY_OPT=
if [ "$INSECURE" = 0 ]; then
	enabled=0
	for f in "$IMAGE" "$REPO"/objects/*/*; do
		[ -f "$f" ] || continue
		fsverity measure "$f" >/dev/null 2>&1 && continue
		fsverity enable --hash-alg="$ALG" "$f" || fail "fsverity enable $f"
		enabled=$((enabled + 1))
	done
	mark verity-enabled-now=$enabled
	MEASURED=$(fsverity measure "$IMAGE" | cut -d' ' -f1) || fail "fsverity measure $IMAGE"
	mark image-measure $MEASURED
	[ "$MEASURED" = "$ALG:$HEX" ] || fail "image digest mismatch: measured $MEASURED, command line $ALG:$HEX"
	mark image-digest-ok
	if grep -qw cfs.checkobjects /proc/cmdline; then
		# Test-only O(n) check; normally the kernel's verity=require is the check.
		for f in "$REPO"/objects/*/*; do
			name=${f#"$REPO"/objects/}
			want="$ALG:${name%%/*}${name#*/}"
			got=$(fsverity measure "$f" | cut -d' ' -f1)
			[ "$got" = "$want" ] || fail "object $name: measured $got"
		done
		mark objects-checked
	fi
	VERITY_OPT=,verity=require
else
	mark verity=insecure
fi

# 6. EROFS metadata image + overlay with the objects as data-only lower layer.
mkdir -p /run/cfs /run/newroot
mount -t erofs -o ro,loop "$IMAGE" /run/cfs || fail "mount erofs $IMAGE"
mark erofs-mounted
mount -t overlay composefs -o "ro,metacopy=on,redirect_dir=on,lowerdir=/run/cfs::$REPO/objects$VERITY_OPT" /run/newroot ||
	fail "mount overlay (lowerdir=/run/cfs::$REPO/objects$VERITY_OPT)"
OVERLAY=$(grep ' /run/newroot ' /proc/mounts)
mark overlay $OVERLAY

# 7. Into the composefs root.
for d in sysroot dev proc sys; do
	[ -d "/run/newroot/$d" ] || fail "composefs root has no /$d mount point"
done
mount --move /sysroot /run/newroot/sysroot || fail "move /sysroot"
mount --move /dev /run/newroot/dev || fail "move /dev"
mark switch-root uptime=$(cut -d' ' -f1 /proc/uptime)
umount /sys
umount /proc
exec switch_root /run/newroot /sbin/init
echo "MARK FAIL switch_root failed"
poweroff -f
