import { useEffect, useState } from 'preact/hooks';
import { useActionPost } from '../../api/action-key';
import { api, ApiError } from '../../api/client';
import type { DeliveryPlan, Group } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView, Loading } from '../../components/async';
import { ErrorText } from '../../components/error-text';
import { FormError, SelectField, SubmitButton, TextArea, TextField, Toggle, useSubmit } from '../../components/form';
import { Page, Section } from '../../components/page';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { navigate } from '../../router';
import { useMainButton } from '../../telegram-buttons';
import { useVariableInsertion, VariablesHelp } from '../templates/template-editor';

type Repeat = 'once' | 'daily' | 'weekly';

/** `HH:MM` (+ weekday 0–6) as the cron expression schedules use. */
function cronOf(repeat: Repeat, time: string, weekday: string): string {
  const [h = '0', m = '0'] = time.split(':');
  return `${Number(m)} ${Number(h)} * * ${repeat === 'weekly' ? weekday : '*'}`;
}

/** The delivery planner's answer for these groups: when the messages go out, and what the quota refuses. */
function usePlan(groupIds: string[]) {
  const [state, setState] = useState<{ plan?: DeliveryPlan; error?: ApiError }>({});
  const key = groupIds.join(',');
  useEffect(() => {
    if (groupIds.length === 0) { setState({}); return; }
    let current = true;
    setState({});
    api<{ plan: DeliveryPlan }>('POST', 'api/delivery/plan', { group_ids: groupIds, kind: 'broadcast' }).then(
      ({ plan }) => { if (current) setState({ plan }); },
      (error: ApiError) => { if (current) setState({ error }); },
    );
    return () => { current = false; };
  }, [key]);
  return state;
}

/** Compose a broadcast (now) or a scheduled post: text, groups, timing, and the planner's ETA. */
export function ComposeBroadcast({ mode }: { mode: 'broadcast' | 'schedule' }) {
  const groups = useResource<{ groups: Group[] }>('api/groups/list');
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [repeat, setRepeat] = useState<Repeat>('once');
  const [date, setDate] = useState(new Date(Date.now() + 3_600_000).toISOString().slice(0, 10));
  const [time, setTime] = useState('09:00');
  const [weekday, setWeekday] = useState('1');
  const plan = usePlan(groupIds);
  const post = useActionPost();
  const { area, insert } = useVariableInsertion(text, setText);

  const send = useSubmit(() => mode === 'broadcast'
    ? post('api/broadcasts', { text, group_ids: groupIds, ...(name.trim() ? { name: name.trim() } : {}) })
    : post('api/schedules', {
      name: name.trim() || text.slice(0, 40), text, group_ids: groupIds,
      // A one-off instant is sent with its offset; a cron runs in the tenant's time zone.
      ...(repeat === 'once' ? { run_at: new Date(`${date}T${time}`).toISOString() } : { cron: cronOf(repeat, time, weekday) }),
    }), () => navigate('delivery'));
  const label = mode === 'broadcast' ? t('compose.send') : t('compose.schedule');
  useMainButton(label, () => void send.submit(), { busy: send.busy, disabled: !text.trim() || groupIds.length === 0 });

  return (
    <Page title={mode === 'broadcast' ? t('delivery.newBroadcast') : t('delivery.newSchedule')} back="delivery">
      <form onSubmit={send.submit} noValidate>
        <TextField label={t('compose.name')} value={name} onValue={setName} error={send.fieldError('name')} hint={t('compose.nameHint')} />
        <TextArea label={t('compose.text')} rows={5} required inputRef={area} value={text} onValue={setText} error={send.fieldError('text')} hint={t('compose.textHint')} />
        <VariablesHelp scope="group_post" onInsert={insert} />
        <fieldset class="checks">
          <legend>{t('compose.groups')}</legend>
          <AsyncView resource={groups} isEmpty={(d) => d.groups.length === 0} empty={<p>{t('groups.empty')}</p>}>
            {(d) => d.groups.map((g) => (
              <Toggle key={g.id} label={g.title} hint={g.pausedReason ?? undefined} checked={groupIds.includes(g.id)}
                onChange={(on) => setGroupIds(on ? [...groupIds, g.id] : groupIds.filter((x) => x !== g.id))} />
            ))}
          </AsyncView>
          {send.fieldError('group_ids') && <small class="field-error" role="alert">{send.fieldError('group_ids')}</small>}
        </fieldset>
        {mode === 'schedule' && (
          <Section title={t('compose.when')}>
            <SelectField<Repeat> label={t('compose.repeat')} value={repeat} onValue={setRepeat}
              options={(['once', 'daily', 'weekly'] as const).map((r) => ({ value: r, label: t(`compose.repeat.${r}`) }))} />
            <div class="row">
              {repeat === 'once' && <TextField label={t('compose.date')} type="date" value={date} onValue={setDate} error={send.fieldError('run_at')} />}
              {repeat === 'weekly' && <SelectField label={t('compose.weekday')} value={weekday} onValue={setWeekday}
                options={[1, 2, 3, 4, 5, 6, 0].map((d) => ({ value: String(d), label: formatDateTime(new Date(Date.UTC(2024, 0, 7 + d)), { weekday: 'long', timeZone: 'UTC' }) }))} />}
              <TextField label={t('compose.time')} type="time" value={time} onValue={setTime} error={send.fieldError('cron')} />
            </div>
          </Section>
        )}
        <Section title={t('compose.plan')}>
          <div aria-live="polite" data-testid="delivery-plan">
            {groupIds.length === 0 ? <p class="muted">{t('compose.pickGroups')}</p>
              : plan.error ? <ErrorText error={plan.error} />
              : !plan.plan ? <Loading label={t('compose.planning')} />
              : <PlanSummary plan={plan.plan} />}
          </div>
        </Section>
        <FormError submission={send} fields={['name', 'text', 'group_ids', 'run_at', 'cron']} />
        <SubmitButton submission={send} label={label} busyLabel={t('common.sending')} />
      </form>
    </Page>
  );
}

function PlanSummary({ plan }: { plan: DeliveryPlan }) {
  return (
    <>
      <p>{t('compose.planLine', { messages: formatNumber(plan.messages), start: plan.firstAt ? formatDateTime(plan.firstAt) : '—', end: plan.finishesAt ? formatDateTime(plan.finishesAt) : '—' })}</p>
      {plan.laterDays > 0 && <p class="warn-text">{t('compose.laterDays', { count: formatNumber(plan.laterDays) })}</p>}
      {plan.overQuota > 0 && <p class="warn-text">{t('compose.rejected', { count: formatNumber(plan.overQuota) })} <a href="#/subscription">{t('groups.seePlans')}</a></p>}
      <p class="muted small">{plan.summary}</p>
    </>
  );
}
