#!/usr/bin/env bash
# Measures the sync engine and prints markdown tables (also written to target/bench/). A few minutes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
bash scripts/setup.sh
cargo bench --locked -p shared --bench replica "$@"
