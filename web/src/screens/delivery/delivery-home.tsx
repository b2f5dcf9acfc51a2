import { api } from '../../api/client';
import type { DeliveryPlan, Page as ListPage, OutcomeState, Schedule } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { ConfirmButton } from '../../components/confirm-button';
import { FormError, useSubmit } from '../../components/form';
import { Page, Section } from '../../components/page';
import { Badge, type Tone } from '../../components/status-badge';
import { telegramText } from '../../components/telegram-message';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { roleAllows, useSession } from '../../session';

const tones: Record<Schedule['status'], Tone> = { active: 'ok', paused: 'warn', completed: 'muted', cancelled: 'muted' };
const outcomeTones: Record<OutcomeState, Tone> = { sending: 'ok', sent: 'ok', partly_failed: 'warn', failed: 'bad', cancelled: 'muted', skipped: 'muted', expired: 'muted' };

/** Broadcasts and scheduled posts: what is planned, how far it got (the planner's ETA), and cancelling it. */
export function DeliveryHome() {
  const { me } = useSession();
  const canEdit = roleAllows(me.member.role, 'admin');
  const schedules = useResource<ListPage<Schedule>>('api/schedules?limit=100');
  const list = (kind: Schedule['kind']) => (
    <AsyncView resource={schedules} isEmpty={(d) => !d.items.some((s) => s.kind === kind)}
      empty={<p>{t(kind === 'broadcast' ? 'delivery.noBroadcasts' : 'delivery.noSchedules')}</p>}>
      {(d) => (
        <ul class="list" data-testid={`delivery-${kind}`}>
          {d.items.filter((s) => s.kind === kind).map((s) => <ScheduleRow key={s.id} schedule={s} canEdit={canEdit} onChanged={() => schedules.reload(true)} />)}
        </ul>
      )}
    </AsyncView>
  );
  return (
    <Page title={t('delivery.title')}>
      {canEdit && (
        <div class="row">
          <a class="button primary" href="#/delivery/new">{t('delivery.newBroadcast')}</a>
          <a class="button" href="#/delivery/new?mode=schedule">{t('delivery.newSchedule')}</a>
        </div>
      )}
      <Section title={t('delivery.broadcasts')}>{list('broadcast')}</Section>
      <Section title={t('delivery.schedules')}>{list('scheduled')}</Section>
    </Page>
  );
}

function ScheduleRow({ schedule: s, canEdit, onChanged }: { schedule: Schedule; canEdit: boolean; onChanged(): void }) {
  const running = s.status === 'active' || s.status === 'paused';
  const cancel = useSubmit(() => api('POST', `api/schedules/${s.id}/cancel`), onChanged);
  return (
    <li class="list-item wrap">
      <span class="grow">
        <strong>{s.name}</strong>
        {s.text && <span class="clip muted">{s.parseMode === 'HTML' ? telegramText(s.text) : s.text}</span>}
        <small class="muted">
          {s.cron ? t('delivery.repeats', { cron: s.cron }) : s.runAt ? t('delivery.once', { at: formatDateTime(s.runAt) }) : ''}
          {s.nextRunAt && ` · ${t('delivery.next', { at: formatDateTime(s.nextRunAt) })}`}
          {' · '}{t('delivery.groupCount', { count: s.groupIds.length })}
        </small>
        {running && <Progress id={s.id} />}
        {s.outcome && s.outcome.problems.length > 0 && <Problems outcome={s.outcome} />}
      </span>
      {s.status === 'completed' && s.outcome
        ? <Badge tone={outcomeTones[s.outcome.state]}>{t(`delivery.outcome.${s.outcome.state}`)}</Badge>
        : <Badge tone={tones[s.status]}>{t(`delivery.status.${s.status}`)}</Badge>}
      {canEdit && running && <ConfirmButton label={t('delivery.cancel')} question={t('delivery.cancelQuestion')} onConfirm={() => void cancel.submit()} busy={cancel.busy} />}
      <FormError submission={cancel} />
    </li>
  );
}

/** While a schedule has unsent messages: how many went, and when the rest should be done. */
function Progress({ id }: { id: string }) {
  const plan = useResource<{ plan: DeliveryPlan }>(`api/schedules/${id}/plan`);
  const p = plan.data?.plan;
  if (!p || p.messages === 0) return null;
  return (
    <small data-testid="delivery-progress">
      {t('delivery.progress', { sent: formatNumber(p.sent ?? 0), total: formatNumber(p.messages + (p.sent ?? 0) + (p.failed ?? 0)), failed: formatNumber(p.failed ?? 0) })}
      {p.finishesAt && ` · ${t('delivery.eta', { at: formatDateTime(p.finishesAt) })}`}
    </small>
  );
}

/** The messages of the latest run that did not go out: where, and Telegram's (or the quota's) reason. */
function Problems({ outcome }: { outcome: NonNullable<Schedule['outcome']> }) {
  return (
    <details class="small" data-testid="delivery-problems">
      <summary class="warn-text">{t('delivery.problems', { failed: formatNumber(outcome.failed + outcome.refused), sent: formatNumber(outcome.sent) })}</summary>
      <ul>
        {outcome.problems.map((p, i) => (
          <li key={i}><strong>{p.groupTitle ?? t('delivery.wholeRun')}</strong>: {t(`delivery.problem.${p.status}`)} — {p.reason}</li>
        ))}
      </ul>
    </details>
  );
}
