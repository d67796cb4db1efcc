#!/usr/bin/env bash
# Makes a checkout of another commit with its worker built, for a benchmark's same-run baseline:
#   bash scripts/bench-baseline.sh REV        # prints the folder; then, say,
#   node app/bench/cost.mjs --against "$(bash scripts/bench-baseline.sh REV)"
# The checkout is a git worktree in .tmp/baseline-<commit>, sharing this one's node_modules. Its cargo
# target directory is target/baseline: sharing this checkout's would mix the two builds' crates of
# the same name and version (cargo names a workspace crate's artifacts without its path).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"
rev=$(git rev-parse --short=12 "${1:?usage: bench-baseline.sh REV}")
dir="$ROOT/.tmp/baseline-$rev"
if [[ ! -d "$dir" ]]; then
  git worktree add --detach "$dir" "$rev" >&2
fi
ln -sfn "$ROOT/node_modules" "$dir/node_modules"
# The app's files matter little to a worker's benchmark: this build's serve.
mkdir -p "$dir/app"
[[ -e "$dir/app/dist" ]] || ln -s "$ROOT/app/dist" "$dir/app/dist"
{
  echo "# Written by scripts/bench-baseline.sh: what local servers run, without [build]."
  awk '/^\[build\]$/ { skip = 1; next } /^\[/ { skip = 0 } !skip' "$dir/wrangler.toml"
} > "$dir/wrangler.local.toml"
if [[ ! -f "$dir/worker/build/index.js" ]]; then
  (cd "$dir/worker" && CARGO_TARGET_DIR="$ROOT/target/baseline" worker-build --release >&2)
fi
echo "$dir"
