import type { Bot } from '../api/types';
import { formatDateTime, t } from '../i18n';
import { Badge, type Tone } from './status-badge';

const tones: Record<Bot['status'], Tone> = { connected: 'ok', degraded: 'warn', failed: 'bad', disconnected: 'muted' };

/** A bot's health in words: the state, Telegram's reason, and what the customer can do about it. */
export function BotStatusCard({ bot }: { bot: Pick<Bot, 'username' | 'status' | 'statusReason' | 'lastUpdateAt'> & { mode?: Bot['mode'] } }) {
  return (
    <div class="bot-status" data-testid="bot-status" data-status={bot.status}>
      <div class="row spread">
        <strong>@{bot.username}</strong>
        <Badge tone={tones[bot.status]}>{t(`bot.status.${bot.status}`)}</Badge>
      </div>
      {bot.statusReason && <p>{t('bot.reason', { reason: bot.statusReason })}</p>}
      {bot.status !== 'connected' && <p class="muted">{t(`bot.fix.${bot.status}`)} <a href="#/settings/bot">{t('bot.openSettings')}</a></p>}
      <p class="muted small">
        {bot.mode && t(`bot.mode.${bot.mode}`)}
        {bot.mode && bot.lastUpdateAt && ' · '}
        {bot.lastUpdateAt && t('bot.lastUpdate', { at: formatDateTime(bot.lastUpdateAt) })}
      </p>
    </div>
  );
}
