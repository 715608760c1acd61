// Test fixtures: a tiny bootable OS in two layers (/usr with an external file,
// /boot with a kernel added by the second layer, /sysroot).
import type { TarWriteEntry } from '@metalayer/oci';

const enc = new TextEncoder();

export const OS_LAYERS: TarWriteEntry[][] = [
  [
    { name: 'usr/', type: 'directory', mtime: 1_700_000_000 },
    { name: 'usr/bin/', type: 'directory', mtime: 1_700_000_000 },
    { name: 'usr/bin/tool', type: 'file', mode: 0o755, body: enc.encode('#!/bin/sh\n'.repeat(100)) },
    { name: 'etc/', type: 'directory' },
    { name: 'etc/hostname', type: 'file', body: enc.encode('box\n') },
    { name: 'boot/', type: 'directory' },
    { name: 'sysroot/', type: 'directory' },
  ],
  [{ name: 'boot/vmlinuz', type: 'file', body: enc.encode('kernel'.repeat(50)) }],
];
