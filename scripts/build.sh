#!/usr/bin/env bash
# Builds the worker (worker/build/) and the app (app/dist/). wrangler's [build] runs this before
# `wrangler dev` and `wrangler deploy`. TRACKER_SKIP_BUILD=1 skips it when both outputs exist (the
# test command builds once, then starts many servers).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

# The tests' `wrangler dev` config: wrangler.toml without [build]. The tests build once; with a
# [build], each server also watches the sources and builds and restarts once its watcher is ready,
# and a restart that comes after the first start has bound the port fails ("Address already in use").
{
  echo "# Written by scripts/build.sh from wrangler.toml, without [build]: the config the tests run."
  awk '/^\[build\]$/ { skip = 1; next } /^\[/ { skip = 0 } !skip' wrangler.toml
} > wrangler.tests.toml

if [[ "${TRACKER_SKIP_BUILD:-}" == 1 && -f worker/build/index.js && -f app/dist/index.html ]]; then
  exit 0
fi

echo "building the worker" >&2
(cd worker && worker-build --release)

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
