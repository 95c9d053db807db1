#!/usr/bin/env bash
# Make sure the local NATS server with JetStream (the `publish` tests' broker) is up; start it if
# it is down. With CI=true a server that cannot be reached is a failure, not a skip.
set -u
host=127.0.0.1
port="${CASELEDGER_NATS_PORT:-4222}"
store_dir="${CASELEDGER_NATS_STORE:-${TMPDIR:-/tmp}/caseledger-nats}"

jetstream_up() {
  # The server's first line is INFO {...}; JetStream is on when it says "jetstream":true.
  local line
  { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
  IFS= read -r -t 2 line <&3 || { exec 3>&-; return 1; }
  exec 3>&-
  [[ "$line" == INFO* && "$line" == *'"jetstream":true'* ]]
}

if jetstream_up; then
  exit 0
fi
if command -v nats-server >/dev/null 2>&1; then
  echo "NATS is down; starting nats-server -js on $host:$port (store $store_dir)" >&2
  mkdir -p "$store_dir"
  setsid nohup nats-server -a "$host" -p "$port" -js -sd "$store_dir" \
    -l "$store_dir/nats-server.log" >/dev/null 2>&1 < /dev/null &
  for _ in $(seq 1 40); do
    jetstream_up && exit 0
    sleep 0.25
  done
fi
if [ "${CI:-}" = "true" ]; then
  echo "NATS JetStream at $host:$port is not reachable and CI=true: failing" >&2
  exit 1
fi
echo "warning: NATS JetStream at $host:$port is not reachable; broker tests will be skipped" >&2
exit 0
