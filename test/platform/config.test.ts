import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';

test('bad configuration lists every problem at once', () => {
  assert.throws(
    () => loadConfig({ NODE_ENV: 'production', PORT: 'eighty', LOG_LEVEL: 'loud', KOVAN_SECRET_KEY: 'short' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, 'a ConfigError');
      const fields = error.problems.map((p) => p.split(':')[0]);
      assert.deepEqual(fields.sort(), ['DATABASE_URL', 'KOVAN_SECRET_KEY', 'LOG_LEVEL', 'PORT', 'SMTP_URL']);
      return true;
    },
  );
});

test('production requires a secret key; development generates one once and keeps it', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@127.0.0.1/db' }), /KOVAN_SECRET_KEY: required/);
  const dir = mkdtempSync(path.join(tmpdir(), 'kovan-config-'));
  const warnings: string[] = [];
  const first = loadConfig({ DATA_DIR: dir }, (m) => warnings.push(m));
  const second = loadConfig({ DATA_DIR: dir }, (m) => warnings.push(m));
  assert.equal(first.secretKey.length, 32);
  assert.deepEqual(first.secretKey, second.secretKey);
  assert.equal(warnings.length, 1, 'warned once, when generating');
  assert.ok(existsSync(path.join(dir, 'secret.key')));
  assert.equal(Buffer.from(readFileSync(path.join(dir, 'secret.key'), 'utf8'), 'base64').length, 32);
});

test('production refuses to write e-mails to files unless asked to', () => {
  const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://x@127.0.0.1/db', KOVAN_SECRET_KEY: 'ab'.repeat(32) };
  assert.throws(() => loadConfig(production), /SMTP_URL: required in production/);
  assert.equal(loadConfig({ ...production, SMTP_URL: 'smtps://u:p@smtp.example.com' }).SMTP_URL, 'smtps://u:p@smtp.example.com');
  assert.equal(loadConfig({ ...production, MAIL_TO_FILES: 'on' }).MAIL_TO_FILES, 'on');
  assert.equal(loadConfig({ KOVAN_SECRET_KEY: 'ab'.repeat(32) }).MAIL_TO_FILES, 'off', 'development writes files without being asked');
});

test('hex and base64 keys are accepted; defaults apply', () => {
  const hex = loadConfig({ KOVAN_SECRET_KEY: 'ab'.repeat(32) });
  assert.equal(hex.secretKey.toString('hex'), 'ab'.repeat(32));
  assert.equal(hex.PORT, 8080);
  assert.equal(hex.TELEGRAM_API_ROOT, 'https://api.telegram.org');
  assert.equal(hex.DATABASE_URL, undefined);
});

test('the CLI exits non-zero and prints all problems on bad config', () => {
  const result = spawnSync(process.execPath, ['bin/kovan.js', 'migrate'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '-1' }, encoding: 'utf8', cwd: path.resolve(import.meta.dirname, '../..'),
  });
  assert.equal(result.status, 78);
  assert.match(result.stderr, /PORT/);
  assert.match(result.stderr, /KOVAN_SECRET_KEY/);
  assert.match(result.stderr, /DATABASE_URL/);
});

test('every command has --help', () => {
  for (const command of ['start', 'api', 'migrate']) {
    const result = spawnSync(process.execPath, ['bin/kovan.js', command, '--help'], { encoding: 'utf8', cwd: path.resolve(import.meta.dirname, '../..') });
    assert.equal(result.status, 0, command);
    assert.match(result.stdout, /Usage: kovan/);
  }
});
