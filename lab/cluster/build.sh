#!/usr/bin/env bash
# Builds the Kubernetes components the cluster harness starts from lab/cluster/go.mod, into a cache outside
# the repository keyed by what decides the binaries: a rerun with the same go.mod, go.sum and Go finds them
# and builds nothing. Prints the directory that holds them.
#
#   bash lab/cluster/build.sh          kube-apiserver and etcd (the control plane npm run test:cluster needs)
#   bash lab/cluster/build.sh --node   and kube-scheduler, kube-controller-manager, kubelet, kube-proxy
#   (CLUSTER_CACHE overrides ~/.cache/moscow-time/cluster)
set -euo pipefail
cd "$(dirname "$0")"

kube_version=$(awk '$1 == "k8s.io/kubernetes" { print $2 }' go.mod)
key=$( (cat go.mod go.sum; go version) | sha256sum | cut -c1-12)
out=${CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/moscow-time/cluster}/$kube_version-$key

commands=(kube-apiserver)
[[ ${1:-} == --node ]] && commands+=(kube-scheduler kube-controller-manager kubelet kube-proxy)

missing=()
for command in etcd "${commands[@]}"; do [[ -x $out/$command ]] || missing+=("$command"); done
if ((${#missing[@]})); then
  mkdir -p "$out"
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
  for command in "${missing[@]}"; do
    echo "build.sh: building $command ($kube_version's go.mod; cold, this takes minutes)" >&2
    if [[ $command == etcd ]]; then
      nice -n 10 go build -trimpath -ldflags "-s -w" -o "$out/etcd.partial" go.etcd.io/etcd/server/v3 >&2
    else
      nice -n 10 go build -trimpath -ldflags "$ldflags" -o "$out/$command.partial" "k8s.io/kubernetes/cmd/$command" >&2
    fi
    # Renamed only once whole, so an interrupted build is never taken for a cached binary.
    mv "$out/$command.partial" "$out/$command"
  done
fi
echo "$out"
