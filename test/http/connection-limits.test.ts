import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTestApi, type TestApi } from '../helpers/api.js';

/**
 * A slow or silent client cannot hold a connection: the whole request must arrive within
 * HTTP_REQUEST_TIMEOUT_MS, else 408 and the socket is closed.
 */
const requestTimeoutMs = 600;
let api: TestApi;
before(async () => { api = await startTestApi({ config: { HTTP_REQUEST_TIMEOUT_MS: String(requestTimeoutMs) } }); });
after(async () => { await api.close(); });

/** Opens a raw connection, sends `start`, then `drip` every 100 ms; resolves with what came back once the server closes it. */
function slowClient(start: string, drip?: string): Promise<{ answer: string; heldMs: number }> {
  const { hostname, port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const opened = Date.now();
    const socket = net.connect(Number(port), hostname, () => socket.write(start));
    let answer = '';
    const dripping = drip ? setInterval(() => { if (socket.writable) socket.write(drip); }, 100) : undefined;
    socket.on('data', (d) => { answer += String(d); });
    socket.on('error', () => { /* a reset after the 408 counts as closed */ });
    socket.on('close', () => { clearInterval(dripping); resolve({ answer, heldMs: Date.now() - opened }); });
    // Far beyond the limit: without it the socket would stay (the old behaviour), failing the test.
    setTimeout(() => { clearInterval(dripping); socket.destroy(); reject(new Error(`still open after 20 s; got ${answer.slice(0, 100)}`)); }, 20_000).unref();
  });
}

test('headers dripped byte by byte (slowloris): 408 and closed', async () => {
  const { answer, heldMs } = await slowClient('GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-a: b\r\n');
  assert.match(answer, /^HTTP\/1\.1 408/);
  assert.ok(heldMs >= requestTimeoutMs * 0.8, `closed after ${heldMs} ms`);
});

test('a body that never completes: 408 and closed', async () => {
  const { answer } = await slowClient('POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user', ' ');
  assert.match(answer, /^HTTP\/1\.1 408/);
});

test('ordinary requests are unaffected, and idle keep-alive outlives the proxy (65 s)', async () => {
  const r = await api.request('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('keep-alive'), 'timeout=65');
});
