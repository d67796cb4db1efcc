#!/usr/bin/env bash
# Builds the worker (worker/build/) and the app (app/dist/). wrangler's [build] runs this before
# `wrangler dev` and `wrangler deploy`. TRACKER_SKIP_BUILD=1 skips it when both outputs exist (the
# test command builds once, then starts many servers).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

# The config local servers run (`scripts/dev.sh`, the tests): wrangler.toml without [build]. They
# build once, before starting; with a [build], `wrangler dev` also watches the sources and, once its
# watcher is ready, builds everything again and restarts (slow for dev.sh; for a test server, a
# restart after its first start bound the port fails with "Address already in use").
{
  echo "# Written by scripts/build.sh from wrangler.toml, without [build]: what local servers run."
  awk '/^\[build\]$/ { skip = 1; next } /^\[/ { skip = 0 } !skip' wrangler.toml
} > wrangler.local.toml

if [[ "${TRACKER_SKIP_BUILD:-}" == 1 && -f worker/build/index.js && -f app/dist/index.html ]]; then
  exit 0
fi

# Whether the output `$1` exists and none of its inputs (the other arguments, and everything under
# them) changed since it was written. Even with nothing to compile, worker-build, wasm-bindgen and
# wasm-opt take a minute or two: a build with nothing new skips them.
COMMON=(Cargo.toml Cargo.lock .cargo shared migrations scripts/build.sh)
up_to_date() {
  local output=$1
  shift
  [[ -f "$output" && -z "$(find "${COMMON[@]}" "$@" -newer "$output" -print -quit 2>/dev/null)" ]]
}

if up_to_date worker/build/index.js worker/src worker/Cargo.toml worker/entry.mjs; then
  echo "the worker is up to date" >&2
else
  echo "building the worker" >&2
  (cd worker && worker-build --release)
fi

if up_to_date app/dist/index.html app/src app/Cargo.toml app/static app/engine/src app/engine/js \
  app/engine/Cargo.toml; then
  echo "the app is up to date" >&2
  exit 0
fi
echo "building the app and its engine" >&2
cargo build -p app --target wasm32-unknown-unknown --release
cargo build -p engine --features web-worker --target wasm32-unknown-unknown --release
rm -rf app/dist.tmp && mkdir -p app/dist.tmp/pkg
for name in app engine; do
  wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir app/dist.tmp/pkg \
    "target/wasm32-unknown-unknown/release/$name.wasm"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals "app/dist.tmp/pkg/${name}_bg.wasm" -o "app/dist.tmp/pkg/${name}_bg.wasm"
done
cp -r app/static/. app/dist.tmp/
# The UI's JS modules, fetched with the page: otherwise boot.js imports app.js, and only once that
# arrives does the browser ask for the modules app.js imports, one round trip after another.
modules=$(sed -n "s|^import .* from '\./\(.*\)';\r\?$|/pkg/\1|p" app/dist.tmp/pkg/app.js)
links=""
for module in /pkg/app.js $modules; do
  links+="    <link rel=\"modulepreload\" href=\"$module\" />\n"
done
sed -i "s|^    <!-- the UI's modules (scripts/build.sh lists them here) -->$|${links%\\n}|" app/dist.tmp/index.html
# The engine's Web Worker entry; its other JS (app/engine/js/) is bundled by wasm-bindgen as snippets.
cp app/engine/js/engine-worker.js app/dist.tmp/
# The service worker caches every file of this build when it installs, so the app opens offline
# even after a single visit; the list's hash names the cache, so a new build replaces it.
files=$(cd app/dist.tmp && find . -type f ! -name sw.js ! -name precache.json ! -name index.html ! -name _headers | sed 's|^\.||' | sort)
version=$(cd app/dist.tmp && echo "$files" | xargs -I{} cat ".{}" | sha256sum | cut -c1-12)
{
  printf '{"version": "%s", "files": ["/"' "$version"
  for file in $files; do printf ', "%s"' "$file"; done
  printf ']}\n'
} > app/dist.tmp/precache.json
# Swap the contents, not the folder: `wrangler dev` keeps serving the folder it started with.
mkdir -p app/dist
find app/dist -mindepth 1 -delete
cp -r app/dist.tmp/. app/dist/
rm -rf app/dist.tmp
