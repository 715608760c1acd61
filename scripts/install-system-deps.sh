#!/usr/bin/env bash
# Installs the Debian packages metalayer's tests use as independent oracles and
# boot targets, and unpacks the bookworm-backports kernel (not installed into
# the host's /boot) into $METALAYER_KERNEL_DIR. Idempotent; needs root.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
kernel_dir=${METALAYER_KERNEL_DIR:-$here/.cache/kernel}
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3 -q)

packages=(
  # composefs / fs-verity oracles
  erofs-utils fsverity attr
  # OCI interop oracles and a real registry (distribution 2.8, no referrers API)
  skopeo umoci podman docker-registry uidmap fuse-overlayfs
  # boot: stub, loader, bootctl, signing, PE inspection
  systemd-boot-efi systemd-boot sbsigntool binutils
  # QEMU end-to-end
  qemu-system-x86 ovmf busybox-static cpio e2fsprogs dosfstools mtools kmod fdisk
  # baselines for the benchmarks and general tools
  openssl xz-utils zstd gzip ca-certificates
)

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

# bookworm-backports on the same mirror as the existing debian.sources entry
# (the 6.12 kernel: data-only overlay lower layers and verity=require need >= 6.6).
bpo=/etc/apt/sources.list.d/bookworm-backports.sources
if [ ! -e "$bpo" ]; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
  mirror=${mirror:-http://deb.debian.org/debian}
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" | "${sudo[@]}" tee "$bpo" >/dev/null
fi

for attempt in 1 2 3; do
  if "${sudo[@]}" apt-get "${apt_opts[@]}" update && \
     "${sudo[@]}" apt-get "${apt_opts[@]}" install -y --no-install-recommends "${packages[@]}"; then
    break
  fi
  [ "$attempt" -eq 3 ] && { echo "apt-get failed after 3 attempts" >&2; exit 1; }
  sleep 10
done

# The kernel: download the backports linux-image package and unpack it, without
# installing it (the host's /boot stays untouched).
if [ ! -e "$kernel_dir/.complete" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  pkg=$(apt-cache depends -t bookworm-backports linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
  [ -n "$pkg" ] || { echo "cannot resolve linux-image-amd64 in bookworm-backports" >&2; exit 1; }
  (cd "$work" && apt-get "${apt_opts[@]}" download "$pkg")
  rm -rf "$kernel_dir" && mkdir -p "$kernel_dir"
  dpkg-deb -x "$work"/linux-image-*.deb "$kernel_dir/root"
  kver=$(ls "$kernel_dir/root/lib/modules" | head -n1)
  depmod -b "$kernel_dir/root" "$kver"
  ln -sfn "root/boot/vmlinuz-$kver" "$kernel_dir/vmlinuz"
  echo "$kver" > "$kernel_dir/version"
  touch "$kernel_dir/.complete"
  echo "kernel $kver unpacked into $kernel_dir"
fi
