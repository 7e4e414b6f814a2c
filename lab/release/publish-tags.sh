#!/usr/bin/env bash
# Points each tag at a digest every check ran on, then reads every tag back and fails unless it names that
# digest. The publish job and the rehearsal both call this, last, after every check passed.
#
#   lab/release/publish-tags.sh IMAGE DIGEST TAG_REF…    (TAG_REF: a full reference, image:tag)
set -euo pipefail
image=$1 digest=$2
shift 2
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "publish-tags: '$digest' is not a digest" >&2; exit 1; }
(($#)) || { echo "publish-tags: no tags" >&2; exit 1; }

# In the same repository crane copies the manifest's bytes unchanged: the tag gets the digest, not a re-push.
for tag in "$@"; do
  out=$(crane copy "$image@$digest" "$tag" 2>&1) || { echo "$out" >&2; exit 1; }
done
for tag in "$@"; do
  read_back=$(crane digest "$tag")
  [[ $read_back == "$digest" ]] || { echo "publish-tags: $tag is $read_back, not $digest" >&2; exit 1; }
  echo "$tag → $digest"
done
