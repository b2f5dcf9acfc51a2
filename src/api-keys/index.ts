/** API keys: Premium API access with `kvk_` keys, hashed at rest, scoped, rate-limited, revocable. */
export { createApiKey, listApiKeys, getApiKey, revokeApiKey, revokeMemberApiKeys, checkKeyExpiry, apiKeyTokenPrefix, apiKeyPattern, type ApiKey, type ApiKeyScope, type NewApiKey } from './api-keys.js';
export { resolveApiKey, apiKeyBudgets } from './resolve-api-key.js';
export { enforceApiKeyBudget } from './rate-limit.js';
