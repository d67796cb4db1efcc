#!/usr/bin/env bash
# Builds the replica's benchmark for the browser (the engine with its `bench` feature) into
# target/bench-web, with the page and worker that run it. Never part of the app.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/tools.sh"
cd "$ROOT"
cargo build -p engine --features bench --target wasm32-unknown-unknown --release
rm -rf target/bench-web && mkdir -p target/bench-web/pkg
wasm-bindgen --target web --no-typescript --out-name engine --out-dir target/bench-web/pkg \
  target/wasm32-unknown-unknown/release/engine.wasm
cp app/bench/replica.html app/bench/replica-worker.js target/bench-web/
