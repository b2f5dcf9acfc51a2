import type { Template } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { FormError, SelectField, SubmitButton, TextField, Toggle } from '../../components/form';
import { Page, Section } from '../../components/page';
import { t } from '../../i18n';
import { roleAllows, useSession } from '../../session';
import { useMainButton } from '../../telegram-buttons';
import { useConfigForm } from './config-form';

function timeZones(current: string): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes(current) ? zones : [current, ...zones];
}

type Quiet = { start: string; end: string } | null;

/** Defaults for messages and new groups: time zone, parse mode, quiet hours, welcome, join requests. */
export function MessageSettings() {
  const { me } = useSession();
  const canEdit = roleAllows(me.member.role, 'admin');
  const form = useConfigForm();
  const templates = useResource<{ templates: Template[] }>('api/templates/list?kind=message');
  useMainButton(t('common.save'), () => void form.save.submit(), { busy: form.save.busy, disabled: !canEdit });
  const c = form.draft;
  return (
    <Page title={t('settings.messages')} back="settings">
      <AsyncView resource={form.resource}>
        {() => c && (
          <form onSubmit={form.save.submit} noValidate>
            <fieldset disabled={!canEdit}>
              <Section title={t('messages.sending')}>
                <SelectField label={t('messages.timeZone')} value={String(c.time_zone)} onValue={(v) => form.set('time_zone', v)} error={form.errorFor('time_zone')}
                  options={timeZones(String(c.time_zone)).map((z) => ({ value: z, label: z }))} hint={t('messages.timeZoneHint')} />
                <SelectField label={t('messages.parseMode')} value={String(c.default_parse_mode)} onValue={(v) => form.set('default_parse_mode', v)} error={form.errorFor('default_parse_mode')}
                  options={[{ value: 'HTML', label: t('messages.parseMode.HTML') }, { value: 'plain', label: t('messages.parseMode.plain') }]} />
                <Toggle label={t('messages.quietHours')} hint={t('messages.quietHint')} checked={c.quiet_hours !== null}
                  onChange={(on) => form.set('quiet_hours', on ? { start: '22:00', end: '08:00' } : null)} error={form.errorFor('quiet_hours')} />
                {c.quiet_hours !== null && (
                  <div class="row">
                    <TextField label={t('common.from')} type="time" value={(c.quiet_hours as Quiet)!.start} onValue={(v) => form.set('quiet_hours', { ...(c.quiet_hours as object), start: v })} />
                    <TextField label={t('common.until')} type="time" value={(c.quiet_hours as Quiet)!.end} onValue={(v) => form.set('quiet_hours', { ...(c.quiet_hours as object), end: v })} />
                  </div>
                )}
                <SelectField label={t('messages.missedRuns')} value={String(c.missed_run_policy)} onValue={(v) => form.set('missed_run_policy', v)} error={form.errorFor('missed_run_policy')}
                  options={[{ value: 'run_once', label: t('messages.missed.run_once') }, { value: 'skip', label: t('messages.missed.skip') }]} />
                <Toggle label={t('messages.paidBroadcast')} hint={t('messages.paidBroadcastHint')} checked={c.paid_broadcast === true} onChange={(v) => form.set('paid_broadcast', v)} error={form.errorFor('paid_broadcast')} />
              </Section>
              <Section title={t('messages.newGroups')}>
                <Toggle label={t('messages.welcome')} checked={c.welcome_new_members === true} onChange={(v) => form.set('welcome_new_members', v)} error={form.errorFor('welcome_new_members')} />
                <SelectField label={t('groupSettings.joinAction')} value={String(c.join_request_action)} onValue={(v) => form.set('join_request_action', v)} error={form.errorFor('join_request_action')}
                  options={(['leave_pending', 'approve', 'decline'] as const).map((v) => ({ value: v, label: t(`joinAction.${v}`) }))} />
                <SelectField label={t('messages.startTemplate')} value={String(c.start_template_id ?? '')} onValue={(v) => form.set('start_template_id', v || null)} error={form.errorFor('start_template_id')}
                  hint={t('messages.startTemplateHint')}
                  options={[{ value: '', label: t('groupSettings.noTemplate') }, ...(templates.data?.templates ?? []).map((tpl) => ({ value: tpl.id, label: tpl.name }))]} />
              </Section>
              <FormError submission={form.save} fields={['config_value']} />
              {form.saved && <p class="notice ok" role="status">{t('common.saved')}</p>}
              <SubmitButton submission={form.save} label={t('common.save')} />
            </fieldset>
          </form>
        )}
      </AsyncView>
    </Page>
  );
}
