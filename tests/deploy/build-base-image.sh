#!/usr/bin/env bash
# Builds a Debian 12 + Node.js base image without any registry: a debootstrap root
# filesystem with the Node.js and npm found on PATH copied in, imported with `podman
# import`. The product's Containerfile takes it through --build-arg NODE_IMAGE. Run it with
# node_modules/.bin first on PATH, so the node copied is the lock file's Node.js 24.
#
#   PATH="$PWD/node_modules/.bin:$PATH" tests/deploy/build-base-image.sh [image-name]
set -euo pipefail

NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" -lt 24 ]; then
  echo "the node on PATH is $(node --version); Node.js 24 is needed: put node_modules/.bin first on PATH" >&2
  exit 1
fi
IMAGE="${1:-localhost/starbridge-node-base:node$NODE_MAJOR}"
if podman image exists "$IMAGE"; then
  echo "base image $IMAGE already present"
  exit 0
fi

ROOTFS="$(mktemp -d /tmp/starbridge-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
MIRROR="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

echo "debootstrap bookworm from $MIRROR"
# No compiler: better-sqlite3 ships a prebuilt driver. The runtime needs git, git-lfs, CA
# certificates, ssh and tini; installing them here lets the image build skip the network.
debootstrap --variant=minbase --include=ca-certificates,git,git-lfs,openssh-client,tini \
  bookworm "$ROOTFS" "$MIRROR" >/dev/null

NODE_BIN="$(readlink -f "$(command -v node)")"
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
install -D -m 0755 "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
mkdir -p "$ROOTFS/usr/local/lib/node_modules"
cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"

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
  "${CA_CHANGES[@]}" \
  - "$IMAGE" >/dev/null
echo "built $IMAGE"
