#!/bin/sh
# /sbin/init of the e2e test OS: runs inside the composefs root, reports what it
# sees on the serial console and powers off. /etc/marker-big is larger than the
# inline limit, so reading it goes through an fs-verity checked object.
export PATH=/usr/bin:/usr/sbin
mount -t proc proc /proc 2>/dev/null
echo "MARK rootfs-init pid=$$ uptime=$(cut -d' ' -f1 /proc/uptime)"
echo "MARK root-mount $(grep '^[^ ]* / ' /proc/mounts | tail -n 1)"
echo "MARK os-release $(grep '^PRETTY_NAME=' /etc/os-release)"
echo "MARK small-marker=$(cat /etc/marker 2>&1)"
if BIG=$(cat /etc/marker-big 2>&1); then
	echo "MARK in-composefs-root marker=$BIG"
else
	echo "MARK FAIL read /etc/marker-big: $BIG"
	dmesg | grep -i -e overlayfs -e verity | sed 's/^/MARK kmsg /'
fi
sync
poweroff -f
