import type { Bus } from '../bus/index.js';
import { MemoryCache } from './memory.js';
import { RedisCache } from './redis.js';
import type { Cache } from './types.js';

export type { Cache } from './types.js';
export { compareLogIds, logIdPattern } from './types.js';
export { MemoryCache } from './memory.js';
export { RedisCache } from './redis.js';

/**
 * Redis when a URL is given (its pub/sub is the bus), the in-process implementation
 * otherwise, publishing over `bus` (in-process unless another is given).
 */
export function openCache(redisUrl: string | undefined, prefix?: string, bus?: Bus): Cache {
  return redisUrl ? new RedisCache(redisUrl, prefix) : new MemoryCache(bus);
}
