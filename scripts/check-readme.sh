#!/usr/bin/env bash
# Runs README.md's shell blocks on a fresh clone, as a newcomer would: the block marked
# `<!-- readme-check: server -->` (npm install && npm start) in the background until /readyz
# answers, then every block marked `run`, in order, in one shell, then stops the server. Blocks
# marked `skip (why)` are not run; an unmarked sh block is an error, so none is forgotten.
# The only liberty taken: the server listens on a free port instead of 8443 (HAVEN_PORT, and
# 8443 in the blocks rewritten to it), since other servers may hold 8443 on a shared machine.
# With HAVEN_README_INSTALL=link the clone uses the source checkout's node_modules (a symlink)
# and the block's `npm install` is skipped: CI has just run `npm ci` from the same lockfile, and
# a second install (downloads, and better-sqlite3 compiling) would take minutes more.
# Fails on any error. Usage: scripts/check-readme.sh [repository dir, default: this one]
set -euo pipefail
src="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
log() { printf '[readme-check] %s\n' "$*" >&2; }
started=$(date +%s)

work=$(mktemp -d "${TMPDIR:-/tmp}/haven-readme-XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

log "cloning $src (committed HEAD) into a fresh directory"
git clone --quiet --no-hardlinks "$src" "$work/haven"
cd "$work/haven"

# Split the README's sh blocks by their marker into server.sh, run.sh (skip blocks dropped).
awk -v dir="$work" '
  /<!-- readme-check: / { mode = $3; sub(/-->.*/, "", mode); next }
  /^```sh$/ {
    if (mode == "") { printf "README line %d: sh block without a readme-check marker\n", NR > "/dev/stderr"; bad = 1 }
    inblock = 1; block++; if (mode == "run") printf "\n# --- README block %d (line %d)\n", block, NR >> (dir "/run.sh"); next
  }
  /^```$/ && inblock { inblock = 0; mode = ""; next }
  inblock && mode == "server" { print >> (dir "/server.sh") }
  inblock && mode == "run" { print >> (dir "/run.sh") }
  END { exit bad }
' README.md
[ -s "$work/server.sh" ] || { log "README has no server block"; exit 1; }
[ -s "$work/run.sh" ] || { log "README has no runnable block"; exit 1; }

if [ "${HAVEN_README_INSTALL:-npm}" = link ]; then
  [ -d "$src/node_modules" ] || { log "HAVEN_README_INSTALL=link but $src/node_modules is missing"; exit 1; }
  ln -s "$src/node_modules" node_modules
  grep -q 'npm install && ' "$work/server.sh" || { log "server block no longer starts with npm install"; exit 1; }
  sed -i 's/npm install && //' "$work/server.sh"
  log "reusing $src/node_modules (HAVEN_README_INSTALL=link): the block's npm install is skipped"
fi

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
sed -i "s/8443/$port/g" "$work/run.sh"

# A newcomer's environment: none of the CI's Haven, database or Redis settings.
clean_env=(env -u DATABASE_URL -u REDIS_URL -u HAVEN_DATA_DIR -u HAVEN_KEYRING -u HAVEN_DB_SCHEMA
  -u HAVEN_HOST -u HAVEN_PUBLIC_URL HAVEN_PORT="$port")

log "server block: $(tr '\n' ' ' < "$work/server.sh")(port $port)"
setsid "${clean_env[@]}" bash -euo pipefail "$work/server.sh" > "$work/server.log" 2>&1 &
server_pid=$!
ready=
deadline=$(( $(date +%s) + ${HAVEN_README_TIMEOUT:-420} ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  if [ -f haven-data/tls/dev-cert.pem ] &&
    curl -s -o /dev/null --fail --cacert haven-data/tls/dev-cert.pem "https://localhost:$port/readyz"; then
    ready=1; break
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  log "the server did not become ready; its output:"; tail -40 "$work/server.log" >&2; exit 1
fi
log "server ready after $(( $(date +%s) - started ))s; running the README's steps"

if ! "${clean_env[@]}" bash -euo pipefail "$work/run.sh" > "$work/run.log" 2>&1; then
  log "a README step failed; its output:"; tail -40 "$work/run.log" >&2
  log "script run:"; cat "$work/run.sh" >&2
  exit 1
fi
log "README steps OK in $(( $(date +%s) - started ))s (clone, install, build, start, steps)"
