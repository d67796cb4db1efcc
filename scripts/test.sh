#!/usr/bin/env bash
# Runs every check and test: installs what is missing, builds the worker and the app once, then
#   - formatting, and clippy for the native and the wasm32 targets, warnings as errors;
#   - the shared crate's native tests (mutations, protocol, server batch, client replica on SQLite);
#   - the integration tests: the real worker in workerd under `wrangler dev`, each test binary on its
#     own fresh local D1 (push/pull rules, replay of the log, replicas converging through faults),
#     and the `tracker` CLI's binary against it (app/cli/tests);
#   - the browser tests: the tracker in headless Chromium against `wrangler dev` (app/tests);
#   - the benchmarks once in quick mode, so they cannot rot;
#   - `wrangler deploy --dry-run`, so the bundle a deployment uploads builds and its size shows.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

# On CI's clean checkout nothing is compiled twice, so incremental caches (a third of the target
# folder) would be written and never read.
if [[ -n "${CI:-}" ]]; then
  export CARGO_INCREMENTAL=0
fi

started=$SECONDS
# Each step says when it starts (seconds since the start): what each costs, in the log.
step() { printf '\033[1m==> %s (at %d s)\033[0m\n' "$*" "$((SECONDS - started))" >&2; }

step "setup"
bash scripts/setup.sh

step "build the worker and the app"
bash scripts/build.sh

step "format and lint"
cargo fmt --all --check
cargo clippy --locked -p shared -p sync-tests -p replica-bench -p tracker --all-targets --all-features -- -D warnings
cargo clippy --locked -p shared -p sync-worker -p app --target wasm32-unknown-unknown -- -D warnings
# The engine as the browser gets it: the replica on rusqlite on sqlite-wasm-rs, in a Web Worker.
cargo clippy --locked -p engine --features web-worker --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked -p engine --features bench --target wasm32-unknown-unknown -- -D warnings

step "deploy, dry run (the bundle Cloudflare would get, without uploading it)"
rm -rf .tmp/deploy
TRACKER_SKIP_BUILD=1 npx wrangler deploy --dry-run --outdir .tmp/deploy 2>&1 | grep -E "Total Upload|dry-run"

step "tests"
rm -rf .tmp/tests && mkdir -p .tmp
export TRACKER_SKIP_BUILD=1
cargo test --locked -p shared -p sync-tests -p tracker --all-features 2>&1 | tee .tmp/test-output.txt

step "browser tests (headless Chromium)"
node --test --test-concurrency=1 app/tests/ 2>&1 | tee .tmp/browser-output.txt

step "benchmarks, quick mode (they must keep working; figures come from scripts/bench.sh)"
# In the dev profile: the tests already compiled its dependencies, where the bench profile (release,
# with LTO) would compile them all again for figures nobody reads here. It also runs them with
# overflow checks, which found a multiplication that overflowed in the snapshot bench's text.
cargo bench --locked --profile dev -p sync-tests --bench server -- --quick
cargo bench --locked --profile dev -p sync-tests --bench snapshot -- --quick
cargo bench --locked --profile dev -p replica-bench --bench replica -- --quick
bash app/bench/build.sh
node app/bench/browser.mjs --quick
node app/bench/live.mjs --quick
node app/bench/snapshot.mjs --quick
node app/bench/cost.mjs --quick

passed=$(grep -Eo '^test result: ok\. [0-9]+ passed' .tmp/test-output.txt | awk '{s += $4} END {print s + 0}')
failed=$(grep -Eo '[0-9]+ failed' .tmp/test-output.txt | awk '{s += $1} END {print s + 0}')
passed=$((passed + $(awk '/^# pass / {print $3}' .tmp/browser-output.txt)))
failed=$((failed + $(awk '/^# fail / {print $3}' .tmp/browser-output.txt)))
step "done in $((SECONDS - started)) s"
echo "${passed} passed, ${failed} failed"
