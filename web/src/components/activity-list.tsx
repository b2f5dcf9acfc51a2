import type { HistoryRow, LiveEvent } from '../api/types';
import { formatDateTime, hasText, t } from '../i18n';
import { Empty } from './async';
import { telegramText } from './telegram-message';

interface Line {
  key: string;
  at: string;
  text: string;
}

function quote(text: unknown): string {
  return typeof text === 'string' && text ? ` “${text.length > 80 ? `${text.slice(0, 80)}…` : text}”` : '';
}

/** A live event as a sentence; its data carries names when the pipeline knows them. */
function fromEvent(event: LiveEvent, i: number): Line {
  const d = event.data;
  const who = typeof d.firstName === 'string' && d.firstName ? d.firstName : t('event.someone');
  const where = String(d.groupTitle ?? d.title ?? '') || t(d.private ? 'event.privateChat' : 'event.chat');
  const key = `event.${event.type}`;
  const base = hasText(key) ? t(key as 'event.message_in', { who, where }) : event.type;
  const reason = typeof d.reason === 'string' ? ` — ${d.reason}` : '';
  return { key: `live-${i}-${event.at}`, at: event.at, text: base + quote(d.text) + reason };
}

/** A history row as a sentence: who wrote where, or what the bot sent where, and how it ended — the text as Telegram shows it. */
function fromHistory(row: HistoryRow): Line {
  const where = row.groupTitle ?? t(row.chatId > 0 ? 'event.privateChat' : 'event.chat');
  const base = row.direction === 'in'
    ? t('event.historyIn', { who: row.userName ?? t('event.someone'), where })
    : t('event.historyOut', { kind: hasText(`kind.${row.kind}`) ? t(`kind.${row.kind}` as 'kind.reply') : row.kind, where });
  const status = row.direction === 'out' && row.status !== 'sent' ? ` (${row.status})` : '';
  const text = row.text && row.html ? telegramText(row.text) : row.text;
  return { key: `h-${row.id}`, at: row.at, text: base + quote(text) + status };
}

/** Recent activity, newest first: live events not in the stored history yet, then the history. */
export function ActivityList({ live, history }: { live: LiveEvent[]; history: HistoryRow[] }) {
  const lines = [...live.map(fromEvent), ...history.map(fromHistory)].sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, 20);
  if (lines.length === 0) return <Empty>{t('dashboard.noActivity')}</Empty>;
  return (
    <ol class="activity" aria-live="polite" data-testid="activity">
      {lines.map((line) => (
        <li key={line.key}>
          <time dateTime={line.at}>{formatDateTime(line.at, { timeStyle: 'short' })}</time>
          <span>{line.text}</span>
        </li>
      ))}
    </ol>
  );
}
