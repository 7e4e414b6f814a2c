#!/usr/bin/env bash
# Rungs 2 and 3: a one-node cluster (the five components of lab/cluster/go.mod, etcd, containerd and runc
# from Debian, the CNI bridge plugin) runs both images from deploy/kubernetes unchanged, then rolls the slim
# Deployment to a new image and drains the node under steady load through the Service. .ci/run runs it
# after the image suite, as npm run test:node.
#
#   npm run test:node     (as root)
#
# Needs: root; containerd, runc and the CNI plugins (lab/cluster/install-tools installs them); the images
# moscow-time:slim and moscow-time:distroless in the Docker engine DOCKER_HOST names (npm run test:images
# leaves them there; SLIM_IMAGE and DISTROLESS_IMAGE name others).
# Everything runs inside a network namespace made here with no link out of it, so no packet sent by the
# cluster, the pods or the load can leave the machine. Everything it started or made is removed on exit,
# pass or fail, and the kernel settings the kubelet changes are put back.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=$(bash lab/cluster/build.sh --node)
work=$(mktemp -d /var/tmp/moscow-time-node.XXXXXX)
netns=moscow-time-node-$$
cgroup=moscow-time-node-$$
in_netns=(nsenter "--net=/run/netns/$netns")
kubectl=("${in_netns[@]}" kubectl --kubeconfig "$work/admin.kubeconfig")
ctr=(ctr --address "$work/containerd.sock" -n k8s.io)
node=node_modules/.bin/node
pids=()
names=()
slim=${SLIM_IMAGE:-moscow-time:slim}
distroless=${DISTROLESS_IMAGE:-moscow-time:distroless}

# The kubelet sets these for itself, for the whole machine, not only inside the namespace.
tunables=(vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys
  kernel/keys/root_maxbytes)
declare -A tuned=()
# Folders the kubelet, CNI and containerd make at fixed paths, whatever their flags say (device plugins,
# container log links, CNI's result cache, shim sockets): removed on exit if this run made them and they are
# empty again.
made=()
for dir in /var/lib/kubelet /var/log/containers /var/lib/cni /run/containerd; do [[ -e $dir ]] || made+=("$dir"); done
# cgroup v2 has one hierarchy, v1 one per controller: the kubelet's cgroupRoot is made in each.
hierarchies=(/sys/fs/cgroup/*/)
[[ -f /sys/fs/cgroup/cgroup.controllers ]] && hierarchies=(/sys/fs/cgroup/)

say() { printf '\n-- %s\n' "$*"; }

# A failed run's evidence, printed before the work folder goes with everything else.
diagnose() {
  say "failed: the pods, their last states, the namespace's events, and the last lines of every log"
  "${kubectl[@]}" -n moscow-time get pods -o wide
  local states='{range .items[*]}{.metadata.name}{" "}{.status.containerStatuses[0].lastState}{"\n"}{end}'
  "${kubectl[@]}" -n moscow-time get pods -o jsonpath="$states"
  "${kubectl[@]}" -n moscow-time get events --sort-by=.lastTimestamp | tail -n 40
  # The components' logs, then the containers' (not the images' own, in containerd's snapshots).
  tail -n 15 "$work"/*.log
  find "$work/pods" -name '*.log' -exec tail -n 15 {} + 2>/dev/null
}

cleanup() {
  local status=$? i
  set +e
  ((status == 0)) || diagnose
  "${kubectl[@]}" delete namespace moscow-time --wait=true --timeout=60s >/dev/null 2>&1
  # One at a time, last started first: kube-apiserver stopped together with etcd waits for it until killed.
  # Each exits within seconds of SIGTERM; one that has not after 30 s is killed.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || continue
    for _ in $(seq 150); do kill -0 "${pids[i]}" 2>/dev/null || break; sleep 0.2; done
    kill -0 "${pids[i]}" 2>/dev/null || continue
    echo "node.sh: ${names[i]} still ran 30 s after SIGTERM: killed" >&2
    kill -9 "${pids[i]}"
  done
  for task in $("${ctr[@]}" tasks ls -q 2>/dev/null); do "${ctr[@]}" tasks kill -s SIGKILL "$task"; done
  sleep 1
  for task in $("${ctr[@]}" tasks ls -q 2>/dev/null); do "${ctr[@]}" tasks delete "$task" >/dev/null; done
  [[ -n ${containerd_pid:-} ]] && kill "$containerd_pid" 2>/dev/null && sleep 2
  grep -o " ${work}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l
  ip netns delete "$netns" 2>/dev/null
  for hierarchy in "${hierarchies[@]}"; do
    [[ -d $hierarchy$cgroup ]] && find "$hierarchy$cgroup" -depth -type d -exec rmdir {} +
  done
  # The kubelet's links to its containers' logs, which point into the work folder.
  find /var/log/containers -maxdepth 1 -lname "$work/*" -delete 2>/dev/null
  for dir in "${made[@]}"; do
    # The kubelet leaves its device plugin socket behind even when SIGTERM stops it.
    [[ $dir == /var/lib/kubelet ]] && rm -f "$dir/device-plugins/kubelet.sock"
    [[ -d $dir ]] && find "$dir" -depth -type d -empty -delete
  done
  for tunable in "${!tuned[@]}"; do echo "${tuned[$tunable]}" >"/proc/sys/$tunable"; done
  rm -rf "$work"
}
trap cleanup EXIT

start() { # name, command...: started inside the namespace, its output in $work/<name>.log
  local name=$1
  shift
  "${in_netns[@]}" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

say "network namespace $netns: loopback, and a node address whose only route leads nowhere"
ip netns add "$netns"
ip -n "$netns" link set lo up
ip -n "$netns" link add node0 type veth peer name node1
ip -n "$netns" addr add 10.200.0.1/32 dev node0
ip -n "$netns" link set node0 up
ip -n "$netns" link set node1 up
ip -n "$netns" route add default dev node0

say "containerd with the CNI bridge"
mkdir -p "$work/cni"
cat >"$work/cni/10-bridge.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "moscow-time",
  "plugins": [
    { "type": "bridge", "bridge": "mt0", "isGateway": true, "hairpinMode": true,
      "ipam": { "type": "host-local", "dataDir": "$work/cni-ipam", "ranges": [[{ "subnet": "10.244.0.0/24" }]],
        "routes": [{ "dst": "0.0.0.0/0" }] } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
# restrict_oom_score_adj: the kubelet asks for -998 for each pod's sandbox; where this process may not lower
# its OOM score (no CAP_SYS_RESOURCE), runc then fails with "can't get final child's PID from pipe".
cat >"$work/containerd.toml" <<EOF
version = 2
root = "$work/containerd"
state = "$work/containerd-state"
[grpc]
  address = "$work/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$work/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
EOF
# nsenter, not `ip netns exec`: that one mounts a fresh /sys, which hides the cgroup mounts from the kubelet.
"${in_netns[@]}" containerd --config "$work/containerd.toml" >"$work/containerd.log" 2>&1 &
containerd_pid=$!
for _ in $(seq 30); do "${ctr[@]}" version >/dev/null 2>&1 && break; sleep 1; done

say "images: the pause sandbox (lab/cluster/pause), and both variants under the names the overlays use"
(cd lab/cluster && CGO_ENABLED=0 go build -trimpath -o "$work/pause/pause" ./pause)
printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' |
  /usr/bin/docker build -q -t moscow-time-lab/pause:node -f - "$work/pause" >/dev/null
# The rollout's image: the slim one with another VERSION, which the app reports in build_info.
printf 'FROM %s\nENV VERSION=rollout-check\n' "$slim" |
  /usr/bin/docker build -q -t moscow-time-lab/slim:rollout -f - "$work/pause" >/dev/null
/usr/bin/docker tag "$slim" moscow-time-lab/slim:node
/usr/bin/docker tag "$distroless" moscow-time-lab/distroless:node
/usr/bin/docker save moscow-time-lab/{pause,slim,distroless}:node moscow-time-lab/slim:rollout |
  "${ctr[@]}" images import - >/dev/null
"${ctr[@]}" images tag docker.io/moscow-time-lab/pause:node registry.k8s.io/pause:3.10 >/dev/null
for tag in slim distroless; do
  "${ctr[@]}" images tag "docker.io/moscow-time-lab/$tag:node" "ghcr.io/owner/moscow-time:$tag" >/dev/null
done
"${ctr[@]}" images tag docker.io/moscow-time-lab/slim:rollout ghcr.io/owner/moscow-time:slim-rollout >/dev/null

say "control plane and node"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/token"
token=$(cat "$work/token")
printf '%s,admin,admin,"system:masters"\n' "$token" >"$work/tokens.csv"
openssl genrsa -out "$work/sa.key" 2048 2>/dev/null
openssl rsa -in "$work/sa.key" -pubout -out "$work/sa.pub" 2>/dev/null
cat >"$work/admin.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: node, cluster: {server: "https://10.200.0.1:6443", certificate-authority: "$work/pki/apiserver.crt"}}]
users: [{name: admin, user: {token: "$token"}}]
contexts: [{name: node, context: {cluster: node, user: admin}}]
current-context: node
EOF
kubeconfig=$work/admin.kubeconfig
start etcd "$bin/etcd" --data-dir="$work/etcd" --listen-client-urls=http://127.0.0.1:2379 \
  --advertise-client-urls=http://127.0.0.1:2379 --listen-peer-urls=http://127.0.0.1:2380 --unsafe-no-fsync
start kube-apiserver "$bin/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 --advertise-address=10.200.0.1 \
  --secure-port=6443 --cert-dir="$work/pki" --token-auth-file="$work/tokens.csv" --authorization-mode=Node,RBAC \
  --enable-admission-plugins=PodSecurity --allow-privileged=true --service-cluster-ip-range=10.96.0.0/16 \
  --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$work/sa.pub" \
  --service-account-signing-key-file="$work/sa.key"
for _ in $(seq 180); do "${kubectl[@]}" get --raw /readyz >/dev/null 2>&1 && break; sleep 1; done
start kube-scheduler "$bin/kube-scheduler" --kubeconfig="$kubeconfig" --authentication-kubeconfig="$kubeconfig" \
  --authorization-kubeconfig="$kubeconfig" --bind-address=127.0.0.1 --leader-elect=false
start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig="$kubeconfig" \
  --authentication-kubeconfig="$kubeconfig" --authorization-kubeconfig="$kubeconfig" --bind-address=127.0.0.1 \
  --leader-elect=false --service-account-private-key-file="$work/sa.key" --root-ca-file="$work/pki/apiserver.crt" \
  --use-service-account-credentials=true --service-cluster-ip-range=10.96.0.0/16 --controllers='*,-nodeipam'
cat >"$work/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication: {anonymous: {enabled: false}, webhook: {enabled: true}}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
cgroupRoot: /$cgroup
failSwapOn: false
containerRuntimeEndpoint: unix://$work/containerd.sock
readOnlyPort: 0
podLogsDir: $work/pods
healthzBindAddress: 127.0.0.1
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
for hierarchy in "${hierarchies[@]}"; do mkdir -p "$hierarchy$cgroup"; done
# cgroup v2: the kubelet refuses a root that is not handed cpu, cpuset, memory, hugetlb and pids, and systemd
# hands down only what some unit uses. Not taken back on exit: other cgroups may use them by then.
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
  for controller in cpu cpuset memory hugetlb pids; do
    if grep -qw "$controller" /sys/fs/cgroup/cgroup.controllers; then
      echo "+$controller" >/sys/fs/cgroup/cgroup.subtree_control
    fi
  done
fi
for tunable in "${tunables[@]}"; do tuned[$tunable]=$(<"/proc/sys/$tunable"); done
start kubelet "$bin/kubelet" --kubeconfig="$kubeconfig" --config="$work/kubelet.yaml" --hostname-override=node \
  --node-ip=10.200.0.1 --root-dir="$work/kubelet" --cert-dir="$work/kubelet-pki"
start kube-proxy "$bin/kube-proxy" --kubeconfig="$kubeconfig" --hostname-override=node --proxy-mode=iptables \
  --cluster-cidr=10.244.0.0/24 --conntrack-max-per-core=0 --metrics-bind-address=127.0.0.1:10249 \
  --healthz-bind-address=127.0.0.1:10256
for _ in $(seq 120); do "${kubectl[@]}" get node node >/dev/null 2>&1 && break; sleep 1; done
"${kubectl[@]}" wait --for=condition=Ready node/node --timeout=180s

say "rung 2: deploy/kubernetes as it is, both variants Ready through their probes"
"${kubectl[@]}" apply --server-side -k deploy/kubernetes
"${kubectl[@]}" -n moscow-time rollout status deployment/moscow-time-slim deployment/moscow-time-distroless \
  --timeout=300s
for variant in slim distroless; do
  ip=$("${kubectl[@]}" -n moscow-time get service "moscow-time-$variant" -o jsonpath='{.spec.clusterIP}')
  # Ready pods reach kube-proxy's rules a moment after the rollout reports them: a few tries.
  for _ in $(seq 30); do
    answer=$("${in_netns[@]}" curl -fsS --max-time 10 "http://$ip:5000/api/time") && break
    sleep 1
  done
  echo "service moscow-time-$variant ($ip): $answer"
  grep -q '"offset":"+03:00"' <<<"$answer"
done
for id in $("${kubectl[@]}" -n moscow-time get pods -o jsonpath='{.items[*].status.containerStatuses[0].containerID}'); do
  pid=$("${ctr[@]}" tasks ls | awk -v id="${id#containerd://}" '$1 == id { print $2 }')
  uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
  root=$(awk '$2 == "/" { split($4, options, ","); print options[1] }' "/proc/$pid/mounts")
  echo "container ${id#containerd://}: uid $uid, root filesystem $root"
  # Not `[[ … ]] && [[ … ]]`: set -e ignores a failure on the left of &&.
  [[ ($uid == 1000 || $uid == 65532) && $root == ro ]] || { echo "expected uid 1000 or 65532 and ro" >&2; exit 1; }
done

say "rung 3: the slim Deployment rolled to a new image under steady load through its Service"
ip=$("${kubectl[@]}" -n moscow-time get service moscow-time-slim -o jsonpath='{.spec.clusterIP}')
"${in_netns[@]}" "$node" lab/cluster/load.ts "$ip" 60 4 >"$work/rollout.json" &
load=$!
sleep 5
"${kubectl[@]}" -n moscow-time set image deployment/moscow-time-slim moscow-time=ghcr.io/owner/moscow-time:slim-rollout
"${kubectl[@]}" -n moscow-time rollout status deployment/moscow-time-slim --timeout=180s
wait "$load"
echo "load during the rollout: $(cat "$work/rollout.json")"
grep -q '"failed":0,' "$work/rollout.json"

say "rung 3: a drain evicts one slim pod and the PodDisruptionBudget keeps the other"
"${in_netns[@]}" "$node" lab/cluster/load.ts "$ip" 45 4 >"$work/drain.json" &
load=$!
sleep 3
drain=$("${kubectl[@]}" drain node --ignore-daemonsets --delete-emptydir-data \
  --pod-selector=app.kubernetes.io/instance=moscow-time-slim --timeout=30s 2>&1) && exit 1
grep -m1 "violate the pod's disruption budget" <<<"$drain"
"${kubectl[@]}" -n moscow-time get pods -l app.kubernetes.io/instance=moscow-time-slim
"${kubectl[@]}" uncordon node
wait "$load"
echo "load during the drain: $(cat "$work/drain.json")"
grep -q '"failed":0,' "$work/drain.json"

say "NetworkPolicy: not enforced here (the bridge plugin implements none, and no policy agent runs)"
echo "rungs 2 and 3 passed"
