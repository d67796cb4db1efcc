#!/usr/bin/env bash
# Measures the sync engine and prints markdown tables (also written to target/bench/):
#   - the server: push and pull through the worker under `wrangler dev`, against the same statements
#     on a native SQLite file (tests/benches/server.rs);
#   - the client replica natively, against plain rusqlite (bench/: the workload, run on files);
#   - the tracker in headless Chromium: cold first render from OPFS, keypress to screen, sizes, and
#     the same replica workload in a Web Worker on OPFS (app/bench/browser.mjs);
#   - the live channel against polling: another profile's change to screen, an idle tab's requests
#     in 10 minutes, fan-out of one push to 100 sockets (app/bench/live.mjs);
#   - what one request costs the worker (latency, its CPU, D1 and Durable Object calls) against a
#     404 that reads nothing, the worker's floor (app/bench/cost.mjs; docs/performance.md);
#   - a new device's catch-up, today's replay of the log against the snapshot, on 20,000 and 200,000
#     log entries: natively through the protocol (tests/benches/snapshot.rs) and in Chromium to the
#     full list (app/bench/snapshot.mjs).
# About 25 minutes (the idle tabs take 10; BENCH_IDLE_MINUTES shortens it). `--quick` runs small versions that only show the benchmarks work.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
export TRACKER_SKIP_BUILD=1
cargo bench --locked -p sync-tests --bench server -- "$@"
cargo bench --locked -p sync-tests --bench snapshot -- "$@"
cargo bench --locked -p replica-bench --bench replica -- "$@"
bash app/bench/build.sh
node app/bench/browser.mjs "$@"
node app/bench/live.mjs "$@"
node app/bench/snapshot.mjs "$@"
# Per-request cost against the worker's floor; with BENCH_COST_AGAINST=REV, against that commit's
# worker too, in the same run.
if [[ -n "${BENCH_COST_AGAINST:-}" ]]; then
  node app/bench/cost.mjs "$@" --against "$(bash scripts/bench-baseline.sh "$BENCH_COST_AGAINST")"
else
  node app/bench/cost.mjs "$@"
fi

# One report, printed at the end and kept in target/bench/summary.md.
{
  echo "# Benchmarks ($(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo
  echo "## Server: the worker under wrangler dev against native SQLite"
  echo
  cat target/bench/server.md
  echo
  echo "## Client replica, natively, against plain rusqlite"
  echo
  cat target/bench/replica.md
  echo
  echo "## The tracker in headless Chromium"
  echo
  cat target/bench/browser.md
  echo
  echo "## Client replica in headless Chromium (a Web Worker, OPFS), against rusqlite there"
  echo
  cat target/bench/replica-browser.md
  echo
  echo "## The live channel against polling (LIVE_CHANNEL=off), in headless Chromium"
  echo
  cat target/bench/live.md
  echo
  echo "## A new device: replaying the log against the snapshot, natively through the protocol"
  echo
  cat target/bench/snapshot-native.md
  echo
  echo "## A new device in headless Chromium: replay against snapshot"
  echo
  cat target/bench/snapshot.md
  echo
  echo "## What one request costs the worker, against its floor (a 404 that reads no D1)"
  echo
  cat target/bench/cost.md
} > target/bench/summary.md
echo
cat target/bench/summary.md
