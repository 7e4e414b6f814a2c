# shellcheck shell=bash disable=SC2034  # the variables are read by the scripts that source this file
# The release tools' versions, sourced by install-tools and the scripts that run the tools. Three come from the
# workflow's own pins, so the tools run here are the ones GitHub runs and Renovate moves both at once:
# hadolint from HADOLINT_IMAGE's tag, BuildKit from BUILDKIT_IMAGE's, cosign from COSIGN_VERSION. crane runs
# in both places from the pin below; syft has no counterpart there (BuildKit's scanner image runs it).

_pins_ci=${BASH_SOURCE[0]%/*}/../../.github/workflows/ci.yml

# The tag of a workflow env: image, without its leading v: "HADOLINT_IMAGE" -> 2.14.0.
_pins_image_version() {
  local version
  version=$(sed -n "s|^  $1: [^:@]*:v\([0-9][0-9.]*\)@sha256:.*|\1|p" "$_pins_ci")
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "pins: no version in $1 of $_pins_ci" >&2; return 1; }
  echo "$version"
}

HADOLINT_VERSION=$(_pins_image_version HADOLINT_IMAGE)
BUILDKIT_VERSION=v$(_pins_image_version BUILDKIT_IMAGE)
COSIGN_VERSION=$(sed -n 's/^  COSIGN_VERSION: \(v[0-9][0-9.]*\)$/\1/p' "$_pins_ci")
[[ -n $COSIGN_VERSION ]] || { echo "pins: no COSIGN_VERSION in $_pins_ci" >&2; return 1; }
COSIGN_MODULE=github.com/sigstore/cosign/v${COSIGN_VERSION:1:1}
# Go modules, one a line (renovate.json's regex manager reads them).
CRANE_MODULE=github.com/google/go-containerregistry CRANE_VERSION=v0.22.1
SYFT_MODULE=github.com/anchore/syft SYFT_VERSION=v1.57.2

# Where install-tools puts each tool, one folder per version, so a bumped pin installs beside the old one.
RELEASE_TOOLS=${RELEASE_TOOLS:-/usr/local/lib/moscow-time-tools}
