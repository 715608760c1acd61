# composefs kernel-argument parsing for the e2e initramfs (busybox ash).
# Sourced by /init; the harness's unit tests source it on the host too.
#
# Forms (composefs-rs crates/composefs-boot/src/cmdline.rs):
#   composefs=<hex>                          64 hex = sha256, 128 hex = sha512
#   composefs.digest=<v1|v2>-<sha256|sha512>-12:<hex>
#   a '?' right after '=' makes the token insecure (fs-verity optional)
# Several tokens may be given; composefs.digest= tokens are tried before
# composefs= tokens, each group in command-line order.

# cfs_hex HEX WANTLEN: prints HEX in lower case, or fails.
cfs_hex() {
	local hex
	hex=$(printf "%s" "$1" | tr 'A-F' 'a-f')
	case "$hex" in
	'' | *[!0-9a-f]*) echo "invalid hex digest '$1'"; return 1 ;;
	esac
	[ "${#hex}" -eq "$2" ] || { echo "digest '$1' has ${#hex} hex digits, expected $2"; return 1; }
	echo "$hex"
}

# cfs_parse_digest VALUE: VALUE of composefs.digest=; prints "ALG HEX INSECURE VERSION".
cfs_parse_digest() {
	local v="$1" insecure=0 spec hex ver rest hash lg len
	case "$v" in '?'*) insecure=1; v="${v#?}" ;; esac
	spec="${v%%:*}"
	hex="${v#*:}"
	[ "$spec" != "$v" ] || { echo "composefs.digest=$1: expected <version>-<hash>-<lg>:<hex>"; return 1; }
	ver="${spec%%-*}"
	rest="${spec#*-}"
	hash="${rest%%-*}"
	lg="${rest#*-}"
	case "$ver" in v1 | v2) ;; *) echo "composefs.digest=$1: unsupported format version '$ver'"; return 1 ;; esac
	case "$hash" in
	sha256) len=64 ;;
	sha512) len=128 ;;
	*) echo "composefs.digest=$1: unsupported hash '$hash'"; return 1 ;;
	esac
	[ "$lg" = 12 ] || { echo "composefs.digest=$1: unsupported block size 2^$lg (only 12)"; return 1; }
	hex=$(cfs_hex "$hex" "$len") || { echo "composefs.digest=$1: $hex"; return 1; }
	echo "$hash $hex $insecure $ver"
}

# cfs_parse_legacy VALUE: VALUE of composefs=; prints "ALG HEX INSECURE v2".
cfs_parse_legacy() {
	local v="$1" insecure=0 hex
	case "$v" in '?'*) insecure=1; v="${v#?}" ;; esac
	case "${#v}" in
	64) hex=$(cfs_hex "$v" 64) || { echo "composefs=$1: $hex"; return 1; }; echo "sha256 $hex $insecure v2" ;;
	128) hex=$(cfs_hex "$v" 128) || { echo "composefs=$1: $hex"; return 1; }; echo "sha512 $hex $insecure v2" ;;
	*) echo "composefs=$1: expected 64 (sha256) or 128 (sha512) hex digits, got ${#v}"; return 1 ;;
	esac
}

# cfs_parse_cmdline CMDLINE: one line "ALG HEX INSECURE VERSION" per composefs token,
# in the order they are to be tried. On a malformed token prints the reason and fails.
# Words are split like the kernel does: on blanks, with '"' toggling quoting.
cfs_parse_cmdline() {
	local word digest_lines="" legacy_lines="" line
	set -f # a '?' in a token must not glob
	for word in $(cfs_words "$1"); do
		case "$word" in
		composefs.digest=*)
			line=$(cfs_parse_digest "${word#composefs.digest=}") || { set +f; echo "$line"; return 1; }
			digest_lines="$digest_lines$line
"
			;;
		composefs=*)
			line=$(cfs_parse_legacy "${word#composefs=}") || { set +f; echo "$line"; return 1; }
			legacy_lines="$legacy_lines$line
"
			;;
		esac
	done
	set +f
	printf '%s%s' "$digest_lines" "$legacy_lines"
}

# cfs_words CMDLINE: the words of a kernel command line, quotes removed, one per line
# (a quoted blank is kept as \x01 so the caller's word split leaves it alone).
cfs_words() {
	printf "%s\n" "$1" | awk '{
		out = ""; q = 0
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c == "\"") { q = !q; continue }
			if (q && (c == " " || c == "\t")) c = "\001"
			out = out c
		}
		print out
	}'
}
