import type { Update } from 'grammy/types';
import type { Cache } from '../platform/cache/index.js';
import type { Database } from '../platform/db/index.js';
import { publishEvents } from '../events/index.js';
import { assertLease, type SessionLease } from '../platform/fencing.js';
import { handleUpdate, type PipelineBot, type PipelineResult } from '../messaging/pipeline.js';

/**
 * Runs one update through the pipeline as the session holding the lease: the lease check,
 * the pipeline's writes and the new polling offset commit together or not at all. Live
 * events go out after the commit.
 */
export async function processPolledUpdate(
  deps: { db: Database; cache: Cache },
  lease: SessionLease,
  bot: PipelineBot,
  update: Update,
): Promise<PipelineResult> {
  const result = await deps.db.withTenant(lease.tenantId, async (tx) => {
    await assertLease(tx, lease);
    const outcome = await handleUpdate(tx, bot, update);
    await tx.query(`UPDATE bots SET update_offset = greatest(update_offset, $2) WHERE id = $1`, [bot.id, update.update_id + 1]);
    return outcome;
  });
  await publishEvents(deps.cache, lease.tenantId, result.events);
  return result;
}
