#!/usr/bin/env bash
# Builds a Debian 12 + Node.js base image without any registry: a debootstrap root
# filesystem with this machine's Node.js, npm and headers copied in, imported with
# `podman import`. The product's Containerfile takes it through --build-arg NODE_IMAGE.
#
#   tests/deploy/build-base-image.sh [image-name]
set -euo pipefail

IMAGE="${1:-localhost/starbridge-node-base:latest}"
if podman image exists "$IMAGE"; then
  echo "base image $IMAGE already present"
  exit 0
fi

ROOTFS="$(mktemp -d /tmp/starbridge-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
MIRROR="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

echo "debootstrap bookworm from $MIRROR"
# The build stage compiles better-sqlite3 (python3, make, g++); the runtime needs git,
# CA certificates and tini. Installing them here lets the image build skip the network.
debootstrap --variant=minbase --include=ca-certificates,git,tini,python3,make,g++ \
  bookworm "$ROOTFS" "$MIRROR" >/dev/null

NODE_BIN="$(readlink -f "$(command -v node)")"
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
install -D -m 0755 "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
mkdir -p "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/include"
cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
# Node's headers, so node-gyp builds native modules without downloading them.
cp -a "$(dirname "$NODE_BIN")/../include/node" "$ROOTFS/usr/local/include/node"

# This machine reaches the npm registry through a TLS-intercepting proxy; trust its CA in
# the base image only (never in the product's Containerfile).
CA_CHANGES=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  cp "$NODE_EXTRA_CA_CERTS" "$ROOTFS/usr/local/share/extra-ca.crt"
  CA_CHANGES=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca.crt'
    --change 'ENV npm_config_cafile=/usr/local/share/extra-ca.crt')
fi

tar -C "$ROOTFS" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV npm_config_nodedir=/usr/local' \
  "${CA_CHANGES[@]}" \
  - "$IMAGE" >/dev/null
echo "built $IMAGE"
