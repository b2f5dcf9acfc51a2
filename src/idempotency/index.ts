export { idempotentPost, idempotencyKeyHeaders, idempotencyKeyHeader, replayedHeader, canonicalJson, type Answer } from './idempotent-post.js';
export { claimKey, recordAnswer, idempotencyKeyLifetimeMs, type StoredAnswer } from './idempotency-keys.js';
