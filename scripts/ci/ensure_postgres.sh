#!/usr/bin/env bash
# Make sure the local PostgreSQL the test suite uses is up; start it if it is down.
# With CI=true a PostgreSQL that cannot be reached is a failure, not a skip.
set -u
host=127.0.0.1
if pg_isready -q -h "$host" -p 5432 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "PostgreSQL is down; starting the local cluster" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 20); do
    pg_isready -q -h "$host" -p 5432 2>/dev/null && exit 0
    sleep 0.5
  done
fi
if [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL at $host:5432 is not reachable and CI=true: failing" >&2
  exit 1
fi
echo "warning: PostgreSQL at $host:5432 is not reachable; PostgreSQL tests will be skipped" >&2
exit 0
