import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import type { Group, ReplyRule, Template } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorText } from '../../components/error-text';
import { FormError, SelectField, SubmitButton, TextField, Toggle, useSubmit } from '../../components/form';
import { Page, Section } from '../../components/page';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { roleAllows, useSession } from '../../session';
import { useMainButton } from '../../telegram-buttons';

type Draft = Omit<ReplyRule, 'id' | 'createdAt' | 'updatedAt'>;

const blank: Draft = {
  name: '', triggerType: 'keyword', trigger: '', caseSensitive: false, scope: 'both', groupIds: [], templateId: '',
  priority: 100, cooldownUserSeconds: 0, cooldownChatSeconds: 0, enabled: true,
};

/** The rule's editable fields only (the API refuses unknown ones such as id or createdAt). */
function fieldsOf(rule: ReplyRule): Draft {
  return Object.fromEntries(Object.keys(blank).map((key) => [key, rule[key as keyof Draft]])) as Draft;
}

/** Create or edit a reply rule: trigger, where it applies, which reply template, cooldowns. */
export function RuleEditor({ id }: { id: string | undefined }) {
  const rule = useResource<{ rule: ReplyRule }>(id ? `api/reply-rules/${encodeURIComponent(id)}` : null);
  return (
    <Page title={id ? (rule.data?.rule.name ?? t('rules.edit')) : t('rules.new')} back="templates?tab=rules">
      {id ? <AsyncView resource={rule}>{(r) => <RuleForm rule={r.rule} />}</AsyncView> : <RuleForm />}
    </Page>
  );
}

function RuleForm({ rule }: { rule?: ReplyRule }) {
  const { me } = useSession();
  const canEdit = roleAllows(me.member.role, 'admin');
  const [draft, setDraft] = useState<Draft>(rule ? fieldsOf(rule) : blank);
  const templates = useResource<{ templates: Template[] }>('api/templates/list?kind=reply');
  const groups = useResource<{ groups: Group[] }>('api/groups/list');
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft({ ...draft, [key]: value });
  const save = useSubmit(
    () => rule ? api('PATCH', `api/reply-rules/${rule.id}`, draft) : api('POST', 'api/reply-rules', draft),
    () => navigate('templates?tab=rules'),
  );
  const number = (key: 'priority' | 'cooldownUserSeconds' | 'cooldownChatSeconds') => ({
    type: 'number' as const, inputMode: 'numeric' as const, min: 0, value: String(draft[key]),
    onValue: (v: string) => set(key, Number(v) || 0), error: save.fieldError(key),
  });

  const remove = useSubmit(() => api('DELETE', `api/reply-rules/${rule?.id}`), () => navigate('templates?tab=rules'));
  useMainButton(t('common.save'), () => void save.submit(), { busy: save.busy, disabled: !canEdit });

  const toggleGroup = (groupId: string, on: boolean) =>
    set('groupIds', on ? [...draft.groupIds, groupId] : draft.groupIds.filter((g) => g !== groupId));

  return (
    <>
      <form onSubmit={save.submit} noValidate>
        <fieldset disabled={!canEdit}>
          <TextField label={t('rules.name')} name="name" required value={draft.name} onValue={(v) => set('name', v)} error={save.fieldError('name')} />
          <Section title={t('rules.when')}>
            <SelectField<Draft['triggerType']> label={t('rules.triggerType')} value={draft.triggerType} onValue={(v) => set('triggerType', v)} error={save.fieldError('triggerType')}
              options={(['keyword', 'command', 'regex'] as const).map((v) => ({ value: v, label: t(`rules.trigger.${v}`) }))} hint={t(`rules.triggerHint.${draft.triggerType}`)} />
            <TextField label={t('rules.trigger')} name="trigger" required value={draft.trigger} onValue={(v) => set('trigger', v)} error={save.fieldError('trigger')} />
            <Toggle label={t('rules.caseSensitive')} checked={draft.caseSensitive} onChange={(v) => set('caseSensitive', v)} />
          </Section>
          <Section title={t('rules.where')}>
            <SelectField<Draft['scope']> label={t('rules.scope')} value={draft.scope} onValue={(v) => set('scope', v)} error={save.fieldError('scope')}
              options={(['both', 'groups', 'private'] as const).map((v) => ({ value: v, label: t(`rules.scope.${v}`) }))} />
            {draft.scope !== 'private' && (
              <fieldset class="checks">
                <legend>{t('rules.groups')}</legend>
                <p class="muted small">{t('rules.groupsHint')}</p>
                <AsyncView resource={groups} isEmpty={(d) => d.groups.length === 0} empty={<p class="small">{t('groups.empty')}</p>}>
                  {(d) => d.groups.map((g) => (
                    <Toggle key={g.id} label={g.title} checked={draft.groupIds.includes(g.id)} onChange={(on) => toggleGroup(g.id, on)} />
                  ))}
                </AsyncView>
                {save.fieldError('groupIds') && <small class="field-error" role="alert">{save.fieldError('groupIds')}</small>}
              </fieldset>
            )}
          </Section>
          <Section title={t('rules.answer')}>
            <SelectField label={t('rules.template')} value={draft.templateId} onValue={(v) => set('templateId', v)} error={save.fieldError('templateId')}
              options={[{ value: '', label: t('rules.chooseTemplate') }, ...(templates.data?.templates ?? []).map((tpl) => ({ value: tpl.id, label: tpl.name }))]}
              hint={<a href="#/templates/new?kind=reply">{t('templates.new.reply')}</a>} />
            {templates.error && <ErrorText error={templates.error} onRetry={() => templates.reload()} />}
          </Section>
          <Section title={t('rules.limits')}>
            <TextField label={t('rules.cooldownUser')} hint={t('rules.cooldownHint')} {...number('cooldownUserSeconds')} />
            <TextField label={t('rules.cooldownChat')} {...number('cooldownChatSeconds')} />
            <TextField label={t('rules.priority')} hint={t('rules.priorityHint')} {...number('priority')} />
            <Toggle label={t('rules.enabled')} checked={draft.enabled} onChange={(v) => set('enabled', v)} />
          </Section>
          <FormError submission={save} fields={['name', 'triggerType', 'trigger', 'scope', 'groupIds', 'templateId', 'priority', 'cooldownUserSeconds', 'cooldownChatSeconds']} />
          <SubmitButton submission={save} label={t('common.save')} />
        </fieldset>
      </form>
      {rule && canEdit && (
        <Section title={t('rules.delete')}>
          <ConfirmButton label={t('rules.delete')} question={t('rules.deleteQuestion', { name: rule.name })} onConfirm={() => void remove.submit()} busy={remove.busy} />
          <FormError submission={remove} />
        </Section>
      )}
    </>
  );
}
