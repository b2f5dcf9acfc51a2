import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { navigate } from '../router';
import { useBackButton } from '../telegram-buttons';
import { t } from '../i18n';

/**
 * A screen: its heading (also the document title) and, on a screen below another one, the way
 * back — Telegram's BackButton inside Telegram, a link in a browser.
 */
export function Page({ title, back, actions, children }: { title: string; back?: string; actions?: ComponentChildren; children: ComponentChildren }) {
  useEffect(() => { document.title = `${title} · Kovan`; }, [title]);
  useBackButton(back === undefined ? undefined : () => navigate(back));
  return (
    <section class="page" aria-labelledby="page-title">
      {back !== undefined && <a class="back tg-hide" href={`#/${back}`}>← {t('common.back')}</a>}
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>{title}</h1>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="card" aria-labelledby={id ?? undefined}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
