#!/usr/bin/env bash
# Installs what building bpfscope from source needs, through apt, when it is missing:
# clang + llvm (llvm-strip) and linux-libc-dev (the asm/ headers the bpf build includes)
# for the eBPF objects, libbpf-dev/libelf-dev/zlib1g-dev for the native addon, bpftool to
# regenerate vmlinux.h, strace for the cli test that compares run's counts with strace's,
# iproute2 (ip netns, ss), util-linux (nsenter, mount) and nftables for the net family's
# tests, which run their workloads in a private network namespace, compare with ss and
# drop packets with an nft rule to cause retransmits; e2fsprogs (mkfs.ext4) and coreutils
# (df) for the fs family's tests, which make an ext4 filesystem on a loop device and compare
# mounts with df; chromium (headless) for the cli test that opens `bpfscope run --report`'s
# HTML in a browser; prometheus (with promtool) for the Prometheus exporter's tests, which
# scrape `bpfscope serve` with a real server and check the exposition with promtool; gcc for
# the tests that compile their own C workloads and stand-in libraries (the gpu family's
# libnvidia-ml.so.1). Run as root (or with sudo).
set -euo pipefail

need=()
command -v clang >/dev/null || need+=(clang)
command -v gcc >/dev/null || need+=(gcc)
command -v llvm-strip >/dev/null || need+=(llvm)
command -v bpftool >/dev/null || need+=(bpftool)
command -v strace >/dev/null || need+=(strace)
command -v ss >/dev/null || need+=(iproute2)
command -v nsenter >/dev/null || need+=(util-linux)
command -v nft >/dev/null || need+=(nftables)
command -v losetup >/dev/null || need+=(util-linux)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v df >/dev/null || need+=(coreutils)
# systeminformation, which @bpfscope/si's tests compare with, runs ps, netstat, ip and lsblk.
command -v ps >/dev/null || need+=(procps)
command -v netstat >/dev/null || need+=(net-tools)
command -v ip >/dev/null || need+=(iproute2)
command -v lsblk >/dev/null || need+=(util-linux)
command -v chromium >/dev/null || need+=(chromium)
command -v prometheus >/dev/null && command -v promtool >/dev/null || need+=(prometheus)
# The gpu family's tests compile a stand-in CUDA runtime and its caller with gcc, and build a
# real dynamic linker cache with ldconfig -C (libc-bin) to find it.
command -v gcc >/dev/null || need+=(gcc)
command -v ldconfig >/dev/null || need+=(libc-bin)
for pkg in linux-libc-dev libbpf-dev libelf-dev zlib1g-dev libbpf1 make g++ python3; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done

if [ ${#need[@]} -eq 0 ]; then
  echo "install-toolchain: everything is installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-toolchain: run as root to install: ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-toolchain: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-toolchain: done"
