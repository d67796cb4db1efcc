#!/usr/bin/env bash
# Installs what building, running and testing the tracker needs, skipping whatever is already there:
# clang (SQLite for wasm32), Chromium (browser tests), the wasm32 target, worker-build, the
# wasm-bindgen CLI that matches Cargo.lock, and the npm packages (wrangler, binaryen,
# playwright-core, axe-core). Safe to run again; a second run takes seconds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

WORKER_BUILD_VERSION=0.8.7

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

need_node() {
  if command -v node >/dev/null && [[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]]; then
    return
  fi
  step "installing Node.js (20 or later is needed by wrangler 4.86)"
  apt-get update -qq && apt-get install -y -qq nodejs npm
}

need_clang() {
  # sqlite-wasm-rs compiles SQLite's C source to wasm32 for the browser replica.
  if ! command -v clang >/dev/null || ! command -v llvm-ar >/dev/null; then
    step "installing clang and llvm (SQLite for wasm32)"
    apt-get update -qq && apt-get install -y -qq clang llvm
  fi
}

need_chromium() {
  # The browser tests drive Debian's Chromium (playwright-core does not download a browser).
  if ! command -v chromium >/dev/null; then
    step "installing Chromium (browser tests)"
    apt-get update -qq && apt-get install -y -qq chromium
  fi
}

need_curl_and_jq() {
  # The README's curl walkthrough uses both, and a test runs it.
  if ! command -v curl >/dev/null || ! command -v jq >/dev/null; then
    step "installing curl and jq (the README's API walkthrough)"
    apt-get update -qq && apt-get install -y -qq curl jq
  fi
}

need_rust_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

need_worker_build() {
  if [[ "$(worker-build --version 2>/dev/null)" != "$WORKER_BUILD_VERSION" ]]; then
    step "installing worker-build $WORKER_BUILD_VERSION (about 4 minutes)"
    cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked
  fi
}

need_wasm_bindgen() {
  # The CLI must equal the library in Cargo.lock, or the generated glue does not match the wasm.
  local version
  version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
  if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $version" ]]; then
    step "installing wasm-bindgen-cli $version (about 3 minutes)"
    # Not --locked: its lock file pins a crate version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$version"
  fi
}

need_npm_packages() {
  local stamp=node_modules/.package-lock.json
  if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" || ! -x node_modules/.bin/wrangler ]]; then
    step "installing npm packages (wrangler, binaryen, playwright-core, axe-core, ws)"
    npm ci --no-audit --no-fund
  fi
}

need_node
need_clang
need_chromium
need_curl_and_jq
need_rust_target
need_worker_build
need_wasm_bindgen
need_npm_packages
