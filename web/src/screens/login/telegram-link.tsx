import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { FormError, useSubmit } from '../../components/form';
import { t } from '../../i18n';
import { useSession } from '../../session';
import { webApp } from '../../telegram';

/** Links the Telegram account this Mini App runs in to the signed-in login (POST /api/auth/telegram/link). */
export function TelegramLinkButton() {
  const session = useSession();
  const submission = useSubmit(() => api('POST', 'api/auth/telegram/link', { initData: webApp()?.initData ?? '' }), () => session.refresh());
  return (
    <>
      <button type="button" class="primary" onClick={() => submission.submit()} disabled={submission.busy}>{t('link.button')}</button>
      <FormError submission={submission} />
    </>
  );
}

/** Shown inside Telegram while this Telegram account is not linked: next time, no password. */
export function TelegramLinkPrompt() {
  const [dismissed, setDismissed] = useState(false);
  if (dismissed) return null;
  return (
    <aside class="banner info" aria-label={t('link.title')}>
      <p>{t('link.prompt')}</p>
      <div class="row">
        <TelegramLinkButton />
        <button type="button" onClick={() => setDismissed(true)}>{t('link.later')}</button>
      </div>
    </aside>
  );
}
