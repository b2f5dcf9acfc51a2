export type { Bus } from './types.js';
export { MemoryBus } from './memory.js';
export { isRedisOutage, RedisBus, redisCommandTimeoutMs, type RedisGuard } from './redis.js';
export { PostgresBus, pgChannel, type PostgresBusOptions } from './postgres.js';
export { FrameAssembler, frameMessage, maxPayloadBytes } from './notify-frames.js';
