import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/client';
import type { TryItAnswer } from '../../api/types';
import { FormError, SelectField, useSubmit } from '../../components/form';
import { Page } from '../../components/page';
import { TelegramMessage } from '../../components/telegram-message';
import { t } from '../../i18n';

type Chat = 'private' | 'group';
interface Line { from: 'user' | 'bot' | 'none'; text: string; html?: boolean; chat: Chat }

/**
 * A chat with the bot inside the Telegram sandbox: the customer writes as a user, the real
 * rules and templates answer, and nothing reaches Telegram.
 */
export function TryIt() {
  const [chat, setChat] = useState<Chat>('group');
  const [text, setText] = useState('');
  const [lines, setLines] = useState<Line[]>([]);
  const end = useRef<HTMLLIElement>(null);
  const send = useSubmit(async () => {
    const sent = text.trim();
    if (!sent) return;
    setLines((l) => [...l, { from: 'user', text: sent, chat }]);
    setText('');
    // `no_rule`: the server knew at once that nothing answers this, and did not wait.
    const answer = await api<TryItAnswer>('POST', 'api/try-it/messages', { text: sent, chat });
    setLines((l) => [...l, ...(answer.replies.length === 0
      ? [{ from: 'none' as const, text: t(answer.answered === 'no_rule' ? 'tryIt.noRule' : 'tryIt.noReply'), chat }]
      : answer.replies.map((r) => ({ from: 'bot' as const, text: r.text, html: r.parseMode === 'HTML', chat })))]);
  });
  useEffect(() => end.current?.scrollIntoView({ block: 'nearest' }), [lines.length]);

  return (
    <Page title={t('tryIt.title')} back="templates">
      <p class="muted">{t('tryIt.intro')}</p>
      <SelectField<Chat> label={t('tryIt.chat')} value={chat} onValue={setChat}
        options={[{ value: 'group', label: t('tryIt.chat.group') }, { value: 'private', label: t('tryIt.chat.private') }]} />
      <ol class="chat" aria-live="polite" aria-label={t('tryIt.conversation')} data-testid="try-it-chat">
        {lines.length === 0 && <li class="muted center-text">{t('tryIt.empty')}</li>}
        {lines.map((line, i) => (
          <li key={i} class={`bubble ${line.from}`} data-from={line.from}>
            {line.from === 'bot' ? <TelegramMessage text={line.text} html={Boolean(line.html)} /> : <span>{line.text}</span>}
          </li>
        ))}
        <li ref={end} aria-hidden="true" />
      </ol>
      <form class="composer" onSubmit={send.submit}>
        <label class="sr-only" for="try-it-text">{t('tryIt.message')}</label>
        <input id="try-it-text" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder={t('tryIt.placeholder')} autoComplete="off" maxLength={4096} />
        <button type="submit" class="primary" disabled={send.busy || !text.trim()}>{send.busy ? t('common.sending') : t('tryIt.send')}</button>
      </form>
      <FormError submission={send} />
    </Page>
  );
}
