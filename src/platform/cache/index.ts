import { MemoryCache } from './memory.js';
import { RedisCache } from './redis.js';
import type { Cache } from './types.js';

export type { Cache } from './types.js';
export { compareLogIds, logIdPattern } from './types.js';
export { MemoryCache } from './memory.js';
export { RedisCache } from './redis.js';

/** Redis when a URL is given, the in-process implementation otherwise. */
export function openCache(redisUrl: string | undefined, prefix?: string): Cache {
  return redisUrl ? new RedisCache(redisUrl, prefix) : new MemoryCache();
}
