import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';

/**
 * Hostile input against every route that takes a body or query: each answer is a 4xx
 * problem document (or a normal answer), never a 500, never a stack trace.
 */
let api: TestApi;
let owner: Awaited<ReturnType<typeof registerTenant>>;
before(async () => {
  api = await startTestApi();
  owner = await registerTenant(api, 'bad');
});
after(async () => { await api.close(); });

const huge = 'x'.repeat(2 * 1024 * 1024);
const nonUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]); // {"a":"<bad bytes>"}
const deep = '['.repeat(5000) + ']'.repeat(5000);

const payloads: Array<[string, { rawBody?: string | Uint8Array; body?: unknown; headers?: Record<string, string> }]> = [
  ['malformed JSON', { rawBody: '{"username": "a",', headers: { 'content-type': 'application/json' } }],
  ['empty JSON body', { rawBody: '', headers: { 'content-type': 'application/json' } }],
  ['non-UTF-8 bytes', { rawBody: nonUtf8, headers: { 'content-type': 'application/json' } }],
  ['huge body', { rawBody: `{"a":"${huge}"}`, headers: { 'content-type': 'application/json' } }],
  ['deeply nested', { rawBody: deep, headers: { 'content-type': 'application/json' } }],
  ['wrong content type', { rawBody: 'username=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
  ['array instead of object', { body: [1, 2, 3] }],
  ['wrong types', { body: { username: 12, password: true, email: [], config_key: {}, config_value: null, token: 1, initData: 5 } }],
  ['over-long strings', { body: { username: 'u'.repeat(10_000), email: 'e'.repeat(10_000) + '@x.io', password: 'p'.repeat(10_000), config_key: 'k'.repeat(10_000), token: 't'.repeat(10_000), initData: 'i'.repeat(10_000) } }],
  ['unknown fields and prototype pollution', { rawBody: '{"__proto__":{"admin":true},"constructor":{"prototype":{}},"zzz":1}', headers: { 'content-type': 'application/json' } }],
  ['SQL-looking strings', { body: { username: "admin'--", email: "x@y.z' OR '1'='1", password: "'; DROP TABLE members; --", config_key: "language'; DROP TABLE tenants;--", config_value: "') OR 1=1--", token: "' OR 1=1 --", initData: "hash=' OR 1=1" } }],
  ['odd Unicode', { body: { username: 'a\u0000b\u202Ec', email: '😀@😀.😀', password: '\uD800\uDC00\uFFFF'.repeat(4), config_key: 'language', config_value: '\u0000' } }],
  ['NUL characters in text fields', { body: { name: 'n\u0000', content: 'Hello\u0000{first_name}', text: 'hi\u0000', title: 't\u0000', kind: 'message', config_key: 'time_zone', config_value: 'Europe/Istanbul\u0000' } }],
];

test('every body route answers hostile input with a 4xx problem, never a 500', async (t) => {
  const bodyRoutes = api.routes.filter((r) => r.hasBody && r.url.startsWith('/api/'));
  assert.ok(bodyRoutes.length >= 5, `${bodyRoutes.length} body routes`);
  for (const [index, route] of bodyRoutes.entries()) {
    const url = route.url.replace(/:([A-Za-z_]+)/g, '00000000-0000-4000-8000-000000000000');
    // A fresh session per route: some routes (logout, password change) end the session they use.
    const login = await api.request('POST', '/api/auth/login', { body: { username: owner.username, password: owner.password }, headers: { 'x-forwarded-for': `198.51.100.${index}` } });
    const token = login.body.token as string;
    for (const [payloadIndex, [name, payload]] of payloads.entries()) {
      const client = { 'x-forwarded-for': `198.51.${index}.${payloadIndex}` };
      await t.test(`${route.method} ${route.url} — ${name}`, async () => {
        const r = await api.request(route.method, url, { ...payload, token, headers: { ...payload.headers, ...client } });
        assert.notEqual(r.status, 429, 'the payload reached validation, not the rate limit');
        assert.ok(r.status >= 400 && r.status < 500, `${r.status}: ${r.text.slice(0, 300)}`);
        assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        assert.equal(typeof r.body.code, 'string');
        assert.ok(!/\bat .+\.(ts|js):\d+/.test(r.text), 'no stack trace');
      });
    }
  }
});

test('query strings with garbage never cause a 500', async (t) => {
  for (const route of api.routes.filter((r) => r.method === 'GET' && r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))) {
    await t.test(route.url, async () => {
      const url = route.url.replace(/:([A-Za-z_]+)/g, "x'OR'1'='1") + "?start_date=yesterday&end_date=%FF%FE&limit=-1&cursor=%00&x=' OR 1=1--";
      const r = await api.request('GET', url, { token: owner.token });
      assert.ok(r.status < 500, `${r.status}: ${r.text.slice(0, 300)}`);
    });
  }
});

test('unknown routes are a 404 problem document', async () => {
  const r = await api.request('GET', '/api/nope', { token: owner.token });
  assert.equal(r.status, 404);
  assert.equal(r.body.code, 'not_found');
});

/** Sends raw bytes and reads until the server closes: requests fetch itself would refuse to send. */
function rawHttp(url: string, request: string): Promise<{ status: number; contentType: string; body: any }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.end(request));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]);
      const contentType = /^content-type: (.*)$/im.exec(head ?? '')?.[1] ?? '';
      resolve({ status, contentType, body: JSON.parse(rest.join('\r\n\r\n') || 'null') });
    });
  });
}

test('errors the framework raises before Kovan runs are problem documents too', async () => {
  const cases: Array<[string, string, number, string]> = [
    ['a path segment that is not UTF-8', '/api/reply-rules/%ED%A0%80', 400, 'malformed_request'],
    ['a path segment longer than any id', `/api/reply-rules/${'a'.repeat(500)}`, 414, 'uri_too_long'],
    ['an unknown route', '/api/no-such-thing', 404, 'not_found'],
  ];
  for (const [name, url, status, code] of cases) {
    const r = await api.request('GET', url, { token: owner.token });
    assert.equal(r.status, status, `${name}: ${r.text.slice(0, 200)}`);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8', name);
    assert.equal(r.body.code, code, name);
  }
});

test("what Node's HTTP parser refuses (a 100 KB URL, garbage) is a problem document too", async () => {
  const longUrl = await rawHttp(api.url, `GET /api/reply-rules?q=${'x'.repeat(100 * 1024)} HTTP/1.1\r\nHost: kovan\r\n\r\n`);
  assert.equal(longUrl.status, 431);
  assert.equal(longUrl.contentType, 'application/problem+json; charset=utf-8');
  assert.equal(longUrl.body.code, 'headers_too_large');
  assert.equal(longUrl.body.status, 431);

  const garbage = await rawHttp(api.url, 'NOT HTTP AT ALL\r\n\r\n');
  assert.equal(garbage.status, 400);
  assert.equal(garbage.contentType, 'application/problem+json; charset=utf-8');
  assert.equal(garbage.body.code, 'malformed_request');
});
