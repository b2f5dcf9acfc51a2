import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/platform/errors.js';
import { asDatabaseUnavailable, isDatabaseUnreachable } from '../../src/platform/db/unreachable.js';

/** Which errors mean "the database is not there" (503) and which are the statement's own (kept as they are). */
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test('lost or refused connections are recognised, whatever shape the driver gives them', () => {
  for (const error of [
    withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    withCode('read ECONNRESET', 'ECONNRESET'),
    withCode('terminating connection due to administrator command', '57P01'),
    withCode('the database system is starting up', '57P03'),
    withCode('sorry, too many clients already', '53300'),
    withCode('connection failure', '08006'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    new Error('Client has encountered a connection error and is not queryable'),
    new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')], ''),
  ]) {
    assert.ok(isDatabaseUnreachable(error), error.message);
    const mapped = asDatabaseUnavailable(error);
    assert.ok(mapped instanceof AppError && mapped.code === 'dependency_unavailable' && mapped.status === 503, error.message);
    assert.ok(mapped.details.retryAfterSeconds, 'with Retry-After');
  }
});

test('what the database refused, and Kovan’s own errors, stay as they are', () => {
  for (const error of [
    withCode('duplicate key value violates unique constraint', '23505'),
    withCode('could not serialize access', '40001'),
    withCode('canceling statement due to statement timeout', '57014'),
    new AppError('not_found', 'Connection terminated unexpectedly'),
    new Error('something else'),
    'not an error',
  ]) {
    assert.equal(isDatabaseUnreachable(error), false, String(error));
    assert.equal(asDatabaseUnavailable(error), error);
  }
});
