#!/usr/bin/env bash
# hadolint on the Dockerfiles with .hadolint.yaml (npm run lint): every finding fails, with hadolint's own
# rule code. The hadolint here must be the version the workflow's hadolint job runs (HADOLINT_IMAGE), or the
# two would judge the same file differently.
#
#   lab/release/hadolint.sh [Dockerfile …]     (default: Dockerfile distroless.Dockerfile)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lab/release/pins.sh
source lab/release/pins.sh

if ! have=$(hadolint --version 2>/dev/null); then
  echo "hadolint.sh: no hadolint; install it with: sudo lab/release/install-tools hadolint" >&2
  exit 2
fi
if [[ $have != *" $HADOLINT_VERSION" ]]; then
  echo "hadolint.sh: $have, but the workflow runs $HADOLINT_VERSION: sudo lab/release/install-tools hadolint" >&2
  exit 2
fi
(($#)) || set -- Dockerfile distroless.Dockerfile
hadolint --no-color --config .hadolint.yaml "$@"
echo "hadolint $HADOLINT_VERSION: $* clean"
