#!/usr/bin/env bash
# Measures the sync engine and prints markdown tables (also written to target/bench/):
#   - the client replica natively, against plain rusqlite (shared/benches/replica.rs);
#   - the tracker in headless Chromium: cold first render from OPFS, keypress to screen, sizes
#     (app/bench/browser.mjs).
# A few minutes. `--quick` runs small versions that only show the benchmarks work.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
export TRACKER_SKIP_BUILD=1
cargo bench --locked -p shared --bench replica -- "$@"
node app/bench/browser.mjs "$@"
