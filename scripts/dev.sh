#!/usr/bin/env bash
# Runs the tracker locally: installs what is missing, applies the migrations to the local D1 (kept in
# .wrangler/state between runs), then `wrangler dev` builds the worker and the app and serves both on
# http://localhost:8787. Extra arguments go to `wrangler dev` (say, --port 9000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$ROOT"

bash scripts/setup.sh
npx wrangler d1 migrations apply DB --local
exec npx wrangler dev "$@"
