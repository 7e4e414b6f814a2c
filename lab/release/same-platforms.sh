#!/usr/bin/env bash
# Fails unless a rebuild (an OCI layout) holds the same image as the one pushed: for a multi-platform index,
# each platform's manifest digest; for a single image, its manifest digest. The index itself is not compared:
# its attestations record when and where the build ran. The workflow's reproducible job and the rehearsal
# both call this.
#
#   lab/release/same-platforms.sh PUSHED_MANIFEST_JSON OCI_LAYOUT_DIR
set -euo pipefail
pushed=$1 layout=$2

# "os/arch digest" per platform of an index; "image digest" for a single manifest whose bytes are given.
platforms() {
  jq -r --arg self "sha256:$(sha256sum <"$1" | cut -d' ' -f1)" '
    if .manifests then [.manifests[] | select(.platform.os != "unknown")
      | "\(.platform.os)/\(.platform.architecture) \(.digest)"] | sort[]
    else "image \($self)" end' "$1"
}

top=$(jq -r '.manifests[0].digest' "$layout/index.json")
diff <(platforms "$pushed") <(platforms "$layout/blobs/sha256/${top#sha256:}")
