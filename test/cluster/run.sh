#!/usr/bin/env bash
# `npm run test:cluster`: starts a real 3-master Redis Cluster on loopback (redis-server
# --cluster-enabled yes ×3, then redis-cli --cluster create), runs the suites that exercise
# Redis — the stores and scripts, the whole pipeline, `listclean clean` — against it through
# REDIS_URL=redis-cluster://…, and stops the cluster whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."

base=${CLUSTER_BASE_PORT:-7101}
ports=("$base" "$((base + 1))" "$((base + 2))")
dir=$(mktemp -d "${TMPDIR:-/tmp}/listclean-cluster-XXXXXX")

stop() {
  for port in "${ports[@]}"; do
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
}
trap stop EXIT

for port in "${ports[@]}"; do
  redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
    --cluster-config-file "$dir/nodes-$port.conf" --dir "$dir" --save '' --appendonly no \
    --daemonize yes --logfile "$dir/redis-$port.log"
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
done
redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >/dev/null
for _ in $(seq 1 100); do
  ok=0
  for port in "${ports[@]}"; do
    redis-cli -p "$port" cluster info | grep -q 'cluster_state:ok' && ok=$((ok + 1))
  done
  [ "$ok" -eq 3 ] && break
  sleep 0.1
done
echo "== Redis Cluster up on 127.0.0.1:${ports[*]}"

nodes=$(printf '127.0.0.1:%s,' "${ports[@]}")
REDIS_URL="redis-cluster://${nodes%,}" npx vitest run \
  test/redis/list-results.test.ts test/redis/verdict-cache.test.ts \
  test/redis/catch-all-store.test.ts test/redis/session-gate.test.ts \
  test/redis/adaptive-throttle.test.ts test/redis/compact-verdict.test.ts \
  test/pipeline test/cli/clean.test.ts test/cli/clean-options.test.ts test/metrics \
  test/api/lists.test.ts test/api/partial.test.ts test/api/verify.test.ts "$@"
