#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for faultline: npm packages (when
# node_modules is missing or older than package-lock.json) and, as root, the Debian
# packages the local ensemble and the browser tests need. Safe to run again: it only
# installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(etcd-server etcd-client zookeeper nats-server openssh-server iptables iproute2 procps python3 chromium fonts-dejavu-core faketime docker.io debootstrap fuse3 libfuse3-dev gcc libc6-dev pkg-config)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "faultline: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  else
    echo "faultline: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi

stamp=node_modules/.package-lock.json
if [[ ! -d node_modules || ! -f $stamp || package-lock.json -nt $stamp ]]; then
  echo "faultline: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
