import { useState } from 'preact/hooks';
import { api, type ApiError } from '../../api/client';
import { ErrorText } from '../../components/error-text';
import { LanguageSwitch } from '../../components/language-switch';
import { Page, Section } from '../../components/page';
import { type Language, t } from '../../i18n';
import { roleAllows, useSession } from '../../session';
import { insideTelegram } from '../../telegram';
import { TelegramLinkButton } from '../login/telegram-link';

/** The account, the language, and the way to every settings area. */
export function SettingsHome() {
  const { me, signOut } = useSession();
  const admin = roleAllows(me.member.role, 'admin');
  const [languageError, setLanguageError] = useState<ApiError>();
  /** The tenant's language (Kovan's own e-mails and notifications) follows an admin's choice. */
  const saveLanguage = (language: Language) => {
    if (!admin) return;
    api('POST', 'api/config/update', { config_key: 'language', config_value: language }).then(() => setLanguageError(undefined), setLanguageError);
  };
  const links: Array<[string, string, boolean]> = [
    ['settings/bot', t('settings.bot'), true],
    ['settings/messages', t('settings.messages'), true],
    ['settings/notifications', t('settings.notifications'), true],
    ['settings/team', t('settings.team'), true],
    ['settings/api-keys', t('settings.apiKeys'), true],
    ['subscription', t('subscription.title'), true],
    ['operator', t('operator.title'), me.tenant.isOperator],
  ];
  return (
    <Page title={t('settings.title')}>
      <Section title={t('settings.account')}>
        <dl class="facts">
          <div><dt>{t('settings.username')}</dt><dd>{me.member.username}</dd></div>
          <div><dt>{t('register.email')}</dt><dd>{me.member.email}</dd></div>
          <div><dt>{t('settings.role')}</dt><dd>{t(`role.${me.member.role}`)}</dd></div>
          <div><dt>{t('settings.tenant')}</dt><dd>{me.tenant.name}</dd></div>
          <div><dt>{t('settings.telegram')}</dt><dd data-testid="telegram-link-state">{me.member.telegramUserId ? t('settings.telegramLinked', { id: me.member.telegramUserId }) : t('settings.telegramNotLinked')}</dd></div>
        </dl>
        {!me.member.telegramUserId && (insideTelegram() ? <TelegramLinkButton /> : <p class="muted small">{t('settings.linkFromTelegram')}</p>)}
      </Section>
      <Section title={t('settings.language')}>
        <LanguageSwitch onChange={saveLanguage} />
        <p class="muted small">{t(admin ? 'settings.languageHintAdmin' : 'settings.languageHint')}</p>
        {languageError && <ErrorText error={languageError} />}
      </Section>
      <nav aria-label={t('settings.title')}>
        <ul class="list">
          {links.filter(([, , shown]) => shown).map(([path, label]) => <li key={path}><a class="list-item" href={`#/${path}`}><span class="grow">{label}</span><span aria-hidden="true">›</span></a></li>)}
        </ul>
      </nav>
      <button type="button" class="danger wide" onClick={() => void signOut()}>{t('settings.signOut')}</button>
    </Page>
  );
}
