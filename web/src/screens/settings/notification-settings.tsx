import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { FormError, SubmitButton, Toggle, useSubmit } from '../../components/form';
import { Page, Section } from '../../components/page';
import { t } from '../../i18n';
import { roleAllows, useSession } from '../../session';
import { useMainButton } from '../../telegram-buttons';

const events = ['quota_warning', 'quota_exhausted', 'bot_failed', 'webhook_changed', 'payment'] as const;

interface Notifications { email: boolean; telegram: boolean; events: string[] }

/** Which events reach the owners, by e-mail and/or Telegram (GET/PUT /api/notification-settings). */
export function NotificationSettings() {
  const { me } = useSession();
  const canEdit = roleAllows(me.member.role, 'admin');
  const current = useResource<{ notifications: Notifications }>('api/notification-settings');
  const [draft, setDraft] = useState<Notifications>();
  const [saved, setSaved] = useState(false);
  useEffect(() => { if (current.data) setDraft(current.data.notifications); }, [current.data]);
  const save = useSubmit(() => api<{ notifications: Notifications }>('PUT', 'api/notification-settings', draft), (r) => { setSaved(true); current.set(r); });
  useMainButton(t('common.save'), () => void save.submit(), { busy: save.busy, disabled: !canEdit });
  const set = (next: Partial<Notifications>) => { setSaved(false); setDraft({ ...draft!, ...next }); };
  return (
    <Page title={t('settings.notifications')} back="settings">
      <AsyncView resource={current}>
        {() => draft && (
          <form onSubmit={save.submit} noValidate>
            <fieldset disabled={!canEdit}>
              <Section title={t('notify.channels')}>
                <Toggle label={t('notify.email')} hint={me.member.email} checked={draft.email} onChange={(email) => set({ email })} error={save.fieldError('email')} />
                <Toggle label={t('notify.telegram')} hint={me.member.telegramUserId ? undefined : t('notify.telegramNeedsLink')} checked={draft.telegram}
                  onChange={(telegram) => set({ telegram })} error={save.fieldError('telegram')} />
              </Section>
              <Section title={t('notify.events')}>
                {events.map((event) => (
                  <Toggle key={event} label={t(`notify.event.${event}`)} checked={draft.events.includes(event)}
                    onChange={(on) => set({ events: on ? [...draft.events, event] : draft.events.filter((e) => e !== event) })} />
                ))}
                {save.fieldError('events') && <p class="field-error" role="alert">{save.fieldError('events')}</p>}
              </Section>
              <FormError submission={save} fields={['email', 'telegram', 'events']} />
              {saved && <p class="notice ok" role="status">{t('common.saved')}</p>}
              <SubmitButton submission={save} label={t('common.save')} />
            </fieldset>
          </form>
        )}
      </AsyncView>
    </Page>
  );
}
