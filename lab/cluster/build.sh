#!/usr/bin/env bash
# Builds the control plane that the cluster harness starts (kube-apiserver and etcd) from lab/cluster/go.mod,
# into a cache outside the repository keyed by what decides the binaries: a rerun with the same go.mod,
# go.sum and Go finds them and builds nothing. Prints the directory that holds them.
#
#   bash lab/cluster/build.sh            (CLUSTER_CACHE overrides ~/.cache/moscow-time/cluster)
set -euo pipefail
cd "$(dirname "$0")"

kube_version=$(awk '$1 == "k8s.io/kubernetes" { print $2 }' go.mod)
key=$( (cat go.mod go.sum; go version) | sha256sum | cut -c1-12)
out=${CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/moscow-time/cluster}/$kube_version-$key

if [[ ! -x $out/kube-apiserver || ! -x $out/etcd ]]; then
  mkdir -p "$out.partial"
  # The release's own build stamps these; without them the server reports v0.0.0-master.
  minor=${kube_version#v1.}
  minor=${minor%%.*}
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean"
  done
  export CGO_ENABLED=0
  # Two cores are shared: the build yields to whatever else runs.
  nice -n 10 go build -trimpath -ldflags "$ldflags" -o "$out.partial/kube-apiserver" \
    k8s.io/kubernetes/cmd/kube-apiserver >&2
  nice -n 10 go build -trimpath -ldflags "-s -w" -o "$out.partial/etcd" go.etcd.io/etcd/server/v3 >&2
  rm -rf "$out"
  mv "$out.partial" "$out"
fi
echo "$out"
