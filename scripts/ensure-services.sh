#!/usr/bin/env bash
# Make sure the local services the test-suite needs are up: PostgreSQL (127.0.0.1:5432, database test),
# Redis and NATS with JetStream (127.0.0.1:4222). Starts what is down; exits non-zero, loudly, if a
# required service cannot be reached afterwards. Never lets the tests skip silently.
set -u
up() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
wait_for() { for _ in $(seq 1 30); do up "$1" && return 0; sleep 1; done; return 1; }
fail=0

if ! up 5432; then
  echo "PostgreSQL is down: starting it"
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  wait_for 5432 || { echo "ERROR: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; fail=1; }
fi
if up 5432 && command -v psql >/dev/null; then
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE test" >/dev/null
fi

if ! up 4222; then
  echo "NATS is down: starting it"
  if [ -x /usr/sbin/nats-server ]; then
    mkdir -p /var/lib/nats-server
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
      -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
  fi
  wait_for 4222 || { echo "ERROR: NATS is not reachable on 127.0.0.1:4222" >&2; fail=1; }
fi

if ! up 6379; then
  echo "Redis is down: starting it"
  if command -v redis-server >/dev/null; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  wait_for 6379 || { echo "ERROR: Redis is not reachable on 127.0.0.1:6379" >&2; fail=1; }
fi
exit $fail
