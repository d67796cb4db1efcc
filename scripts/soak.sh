#!/usr/bin/env bash
# The soak run (docs/performance.md, "Faults on purpose"): a team works while the worker fails on
# purpose (D1 calls failing before they run and after they committed, slow answers, live sockets
# dropped), with compactions and restarts of workerd in the middle; then every replica must equal D1,
# every accepted change be logged exactly once, nothing be pending, and the engine's memory stay
# within its bound. Two halves, each printing its counts:
#   - four native replicas over HTTP and the live socket (tests/tests/soak.rs), 600 s;
#   - two Chromium profiles through the page (app/tests/soak.test.mjs), 300 s.
# `--quick` runs them as the test command does (40 s and 20 s). SOAK_SEED replays the native half's
# choices (not the server's faults).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
native=600
browser=300
if [[ "${1:-}" == "--quick" ]]; then
  native=40
  browser=20
fi
bash scripts/setup.sh
bash scripts/build.sh
export TRACKER_SKIP_BUILD=1
SOAK_SECONDS=$native cargo test --locked -p sync-tests --test soak -- --nocapture 2>&1 | grep -Ev '^(running|test result|$)'
SOAK_SECONDS=$browser node --test --test-concurrency=1 app/tests/soak.test.mjs 2>&1 | grep -E '^# soak|^(not )?ok'
