#!/usr/bin/env bash
# The README's promise, proved as a newcomer meets it: on a fresh clone, `npm install` and
# `npm start` are the whole set-up, and the page served is the Mini App itself (built on
# start), where the demo login works. CI runs this once (.ci/run); it needs nothing but
# Node and git, like the newcomer.
set -euo pipefail
trap 'echo "fresh-clone-check: failed at line $LINENO"; [ -f "${work:-}/kovan/start.log" ] && tail -30 "$work/kovan/start.log"' ERR
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
port=${FRESH_CLONE_PORT:-38417}
pid=
cleanup() {
  # npm runs node as its child: stop the whole process group, as Ctrl-C in a terminal would.
  [ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

git clone -q "$repo" "$work/kovan"
cd "$work/kovan"
echo "fresh clone of $(git rev-parse --short HEAD) in $work/kovan"
npm install --no-audit --no-fund --loglevel=error

set -m # its own process group, so cleanup reaches node behind npm
env -u DATABASE_URL -u REDIS_URL -u PLATFORM_BOT_TOKEN PORT="$port" HOST=127.0.0.1 npm start >start.log 2>&1 &
set +m
pid=$!
# The demo logins are printed last, once the demo tenant is seeded.
for _ in $(seq 300); do
  grep -q "Demo login" start.log && break
  kill -0 "$pid" 2>/dev/null || { cat start.log; echo "npm start exited before serving"; exit 1; }
  sleep 1
done
grep -q "Demo login" start.log || { cat start.log; echo "npm start did not serve within 300 s"; exit 1; }

page=$(curl -fsS "http://127.0.0.1:$port/")
echo "$page" | grep -q '<div id="app">' || { echo "$page"; echo "/ is not the Mini App"; exit 1; }
script=$(echo "$page" | grep -o 'src="[^"]*\.js"' | head -1 | sed 's/src="\.\?//; s/"$//')
[ -n "$script" ] || { echo "the page loads no built script"; exit 1; }
curl -fsS -o /dev/null "http://127.0.0.1:$port/${script#/}" || { echo "the Mini App's script $script is not served"; exit 1; }

user=$(grep -o 'Demo login: username "[^"]*", password "[^"]*"' start.log | sed 's/.*username "\([^"]*\)", password "\([^"]*\)"/\1 \2/')
read -r login password <<<"$user"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
  -d "{\"username\":\"$login\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/auth/login")
[ "$code" = 200 ] || { echo "demo login answered $code"; exit 1; }
echo "fresh clone: npm install && npm start serve the Mini App; the demo login works"
