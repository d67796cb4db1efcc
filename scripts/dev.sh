#!/usr/bin/env bash
# Runs the tracker locally: installs what is missing, writes the secrets local use needs into
# .dev.vars when they are missing (git-ignored; wrangler reads it), applies the migrations to the
# local D1 (kept in .wrangler/state between runs), builds the worker and the app once (nothing, when
# the test command or an earlier run built them and no source changed since), prints the setup link,
# and serves both on http://localhost:8787 with `wrangler dev`. A change to a source file rebuilds:
# this script watches the sources and runs scripts/build.sh, and wrangler reloads what it built.
# (wrangler's own [build] watcher builds everything a second time once it is ready, which is why the
# server runs from wrangler.local.toml, the config without [build].) Extra arguments go to
# `wrangler dev` (say, --port 9000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

bash scripts/setup.sh

# SETUP_TOKEN lets whoever holds it make a workspace (/setup?token=…); SESSION_KEY signs sessions.
# A deployment sets both with `npx wrangler secret put`.
secret() { LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 48; }
touch .dev.vars
for name in SETUP_TOKEN SESSION_KEY; do
  if ! grep -q "^${name}=" .dev.vars; then
    echo "${name}=$(secret)" >>.dev.vars
    echo "wrote a new ${name} to .dev.vars" >&2
  fi
done
setup_token=$(sed -n 's/^SETUP_TOKEN=//p' .dev.vars | head -n 1)

npx wrangler d1 migrations apply DB --local

bash scripts/build.sh

port=8787
args=("$@")
for i in "${!args[@]}"; do
  if [[ "${args[$i]}" == "--port" ]]; then port="${args[$((i + 1))]:-$port}"; fi
  if [[ "${args[$i]}" == --port=* ]]; then port="${args[$i]#--port=}"; fi
done
printf '\n  Make a workspace (and become its owner): http://localhost:%s/setup?token=%s\n' "$port" "$setup_token" >&2
printf '  Then open http://localhost:%s/ : invite others from "Members".\n\n' "$port" >&2
# Rebuild on a change: poll the sources every second, build when one is newer than the last build.
watch() {
  local stamp=.wrangler/dev-built
  mkdir -p .wrangler && touch "$stamp"
  while sleep 1; do
    if [[ -n "$(find "${WATCHED[@]}" -newer "$stamp" -print -quit 2>/dev/null)" ]]; then
      touch "$stamp"
      echo "a source changed: building" >&2
      bash scripts/build.sh || echo "the build failed: fix it and save again" >&2
    fi
  done
}
WATCHED=(shared/src worker/src app/src app/static app/engine/src app/engine/js migrations)
watch &
watcher=$!
trap 'kill "$watcher" 2>/dev/null' EXIT
npx wrangler dev --config wrangler.local.toml "$@"
