#!/usr/bin/env bash
# Make this machine able to run ranlab: Debian packages (influxd for the embedded
# measurement store, libuhd for USRPs, iperf3 for UE traffic), npm packages, build.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v influxd >/dev/null || need+=(influxdb)
command -v influx >/dev/null || need+=(influxdb-client)
[ -e /usr/lib/x86_64-linux-gnu/libuhd.so.4.3.0 ] || ls /usr/lib/*/libuhd.so.4* >/dev/null 2>&1 || need+=(libuhd4.3.0)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v chromium >/dev/null || need+=(chromium)
command -v xmllint >/dev/null || need+=(libxml2-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The Debian package may start a system influxd on :8086; ranlab runs its own private one.

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing npm packages (npm ci)" >&2
  # onnxruntime-node's install script fetches a CUDA provider from a host this machine cannot
  # reach; its CPU runtime ships inside the package, so the download is skipped.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
fi
echo "bootstrap: building (TypeScript + Solidity contracts)" >&2
npm run build --silent
