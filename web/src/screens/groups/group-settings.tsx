import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import type { Group, GroupSettings, JoinRequestAction, Template } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { ConfirmButton } from '../../components/confirm-button';
import { FormError, SelectField, SubmitButton, TextField, Toggle, useSubmit } from '../../components/form';
import { Page, Section } from '../../components/page';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { navigate } from '../../router';
import { roleAllows, useSession } from '../../session';
import { useMainButton } from '../../telegram-buttons';
import { GroupBadge } from './group-list';

/** One group: its state, its settings (welcome, invite, auto-reply, join requests, quiet hours), and leaving it. */
export function GroupSettingsScreen({ id }: { id: string }) {
  const group = useResource<{ group: Group }>(`api/groups/${encodeURIComponent(id)}`);
  return (
    <Page title={group.data?.group.title ?? t('groups.title')} back="groups">
      <AsyncView resource={group}>{(g) => <GroupForm group={g.group} onSaved={(saved) => group.set({ group: saved })} />}</AsyncView>
    </Page>
  );
}

function GroupForm({ group, onSaved }: { group: Group; onSaved(group: Group): void }) {
  const { me } = useSession();
  const canEdit = roleAllows(me.member.role, 'admin');
  const [enabled, setEnabled] = useState(group.enabled);
  const [settings, setSettings] = useState<GroupSettings>(group.settings);
  const [saved, setSaved] = useState(false);
  const message = useResource<{ templates: Template[] }>('api/templates/list?kind=message');
  const invite = useResource<{ templates: Template[] }>('api/templates/list?kind=invite');
  const set = <K extends keyof GroupSettings>(key: K, value: GroupSettings[K]) => { setSaved(false); setSettings({ ...settings, [key]: value }); };

  const save = useSubmit(() => api<{ group: Group }>('PATCH', `api/groups/${group.id}`, { enabled, settings }), (r) => { setSaved(true); onSaved(r.group); });
  const leave = useSubmit(() => api('POST', `api/groups/${group.id}/leave`), () => navigate('groups'));
  useMainButton(t('common.save'), () => void save.submit(), { busy: save.busy, disabled: !canEdit });

  const templateOptions = (list: Template[] | undefined) => [
    { value: '', label: t('groupSettings.noTemplate') },
    ...(list ?? []).map((tpl) => ({ value: tpl.id, label: tpl.name })),
  ];

  return (
    <>
      <div class="row spread">
        <span class="muted">
          {group.memberCount === null ? t('groups.membersUnknown') : t('groups.members', { count: formatNumber(group.memberCount) })}
          {' · '}{t('groupSettings.added', { at: formatDateTime(group.addedAt, { dateStyle: 'medium' }) })}
        </span>
        <GroupBadge group={group} />
      </div>
      {group.pausedReason && <p class="notice warn" role="status" data-testid="paused-reason">{group.pausedReason} <a href="#/subscription">{t('groups.seePlans')}</a></p>}
      {group.botStatus !== 'administrator' && !group.removedAt && <p class="notice">{t('groupSettings.notAdmin')}</p>}

      <form onSubmit={save.submit} noValidate>
        <fieldset disabled={!canEdit}>
          <Section title={t('groupSettings.general')}>
            <Toggle label={t('groupSettings.enabled')} hint={t('groupSettings.enabledHint')} checked={enabled} onChange={(v) => { setSaved(false); setEnabled(v); }} error={save.fieldError('enabled')} />
            <Toggle label={t('groupSettings.autoReply')} hint={t('groupSettings.autoReplyHint')} checked={settings.autoReply} onChange={(v) => set('autoReply', v)} error={save.fieldError('autoReply')} />
          </Section>
          <Section title={t('groupSettings.welcome')}>
            <Toggle label={t('groupSettings.welcomeEnabled')} checked={settings.welcomeEnabled} onChange={(v) => set('welcomeEnabled', v)} error={save.fieldError('welcomeEnabled')} />
            <SelectField label={t('groupSettings.welcomeTemplate')} value={settings.welcomeTemplateId ?? ''} options={templateOptions(message.data?.templates)}
              onValue={(v) => set('welcomeTemplateId', v || null)} error={save.fieldError('welcomeTemplateId')}
              hint={<a href="#/templates/new?kind=message">{t('groupSettings.newTemplate')}</a>} />
          </Section>
          <Section title={t('groupSettings.joinRequests')}>
            <SelectField label={t('groupSettings.inviteTemplate')} value={settings.inviteTemplateId ?? ''} options={templateOptions(invite.data?.templates)}
              onValue={(v) => set('inviteTemplateId', v || null)} error={save.fieldError('inviteTemplateId')} hint={t('groupSettings.inviteHint')} />
            <SelectField<JoinRequestAction> label={t('groupSettings.joinAction')} value={settings.joinRequestAction} onValue={(v) => set('joinRequestAction', v)}
              error={save.fieldError('joinRequestAction')}
              options={(['leave_pending', 'approve', 'decline'] as const).map((v) => ({ value: v, label: t(`joinAction.${v}`) }))} />
            {!group.botCanInvite && <p class="small warn-text">{t('groupSettings.needsInviteRight')}</p>}
          </Section>
          <Section title={t('groupSettings.quietHours')}>
            <Toggle label={t('groupSettings.quietOn')} hint={t('groupSettings.quietHint')} checked={settings.quietHours !== null}
              onChange={(v) => set('quietHours', v ? { start: '22:00', end: '08:00' } : null)} />
            {settings.quietHours && (
              <div class="row">
                <TextField label={t('common.from')} type="time" value={settings.quietHours.start} onValue={(v) => set('quietHours', { ...settings.quietHours!, start: v })} error={save.fieldError('quietHours.start')} />
                <TextField label={t('common.until')} type="time" value={settings.quietHours.end} onValue={(v) => set('quietHours', { ...settings.quietHours!, end: v })} error={save.fieldError('quietHours.end')} />
              </div>
            )}
          </Section>
          <FormError submission={save} fields={['enabled', 'autoReply', 'welcomeEnabled', 'welcomeTemplateId', 'inviteTemplateId', 'joinRequestAction', 'start', 'end']} />
          {saved && <p class="notice ok" role="status">{t('common.saved')}</p>}
          <SubmitButton submission={save} label={t('common.save')} />
        </fieldset>
      </form>

      {canEdit && !group.removedAt && (
        <Section title={t('groupSettings.remove')}>
          <p class="muted">{t('groupSettings.removeHint')}</p>
          <ConfirmButton label={t('groupSettings.removeButton')} question={t('groupSettings.removeQuestion', { title: group.title })} onConfirm={() => void leave.submit()} busy={leave.busy} />
          <FormError submission={leave} />
        </Section>
      )}
    </>
  );
}
