import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Payment, PlanChange, Plan, PlanCode, Usage } from '../api/types';
import { useResource } from '../api/use-resource';
import { AsyncView } from '../components/async';
import { ConfirmButton } from '../components/confirm-button';
import { FormError, useSubmit } from '../components/form';
import { Page, Section } from '../components/page';
import { Badge, type Tone } from '../components/status-badge';
import { UsageMeter } from '../components/usage-meter';
import { formatDateTime, formatMoney, formatNumber, hasText, t } from '../i18n';
import { roleAllows, useSession } from '../session';
import { openLink } from '../telegram';

function limit(value: number | null): string {
  return value === null ? t('plan.unlimited') : formatNumber(value);
}

function price(plan: Plan): string {
  return plan.priceCents === null ? t('plan.contact') : plan.priceCents === 0 ? t('plan.free') : t('plan.perMonth', { price: formatMoney(plan.priceCents, plan.currency) });
}

/** Why a request ended, in the reader's language; a decline is the operator's own words. */
function paymentNote(payment: Payment): string {
  return payment.noteCode && payment.noteCode !== 'declined' ? t(`subscription.note.${payment.noteCode}`) : payment.note ?? '';
}

function featureName(feature: string): string {
  const key = `feature.${feature}`;
  return hasText(key) ? t(key as 'feature.auto_reply') : feature;
}

/** A payment's amount in words: money, Telegram Stars, or "custom price" while it is still to be agreed. */
export function paymentAmount(p: Payment): string {
  if (p.amountCents === null) return t('subscription.customPrice');
  return p.currency === 'XTR' ? `${formatNumber(p.amountCents)} ⭐` : formatMoney(p.amountCents, p.currency);
}

const paymentTones: Record<Payment['status'], Tone> = { pending: 'warn', paid: 'ok', cancelled: 'muted', failed: 'bad', refunded: 'muted' };

export function PaymentStatusBadge({ status }: { status: Payment['status'] }) {
  return <Badge tone={paymentTones[status]}>{t(`payment.status.${status}`)}</Badge>;
}

/** What the last plan action did, said on the screen until the next one. */
type Outcome =
  | { kind: 'changed'; plan: string; paused: number }
  | { kind: 'requested'; plan: string }
  | { kind: 'cancelled' };

function OutcomeNotice({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === 'cancelled') return <p class="notice" role="status" data-testid="plan-outcome">{t('subscription.requestCancelled')}</p>;
  if (outcome.kind === 'requested') return <p class="notice" role="status" data-testid="plan-outcome">{t('subscription.requested', { plan: outcome.plan })}</p>;
  return (
    <p class={outcome.paused > 0 ? 'notice warn' : 'notice ok'} role="status" data-testid="plan-outcome">
      {t('subscription.changed', { plan: outcome.plan })}
      {outcome.paused > 0 && <>{' '}{outcome.paused === 1 ? t('subscription.pausedOne', { plan: outcome.plan }) : t('subscription.pausedMany', { count: formatNumber(outcome.paused), plan: outcome.plan })}{' '}<a href="#/groups">{t('nav.groups')}</a></>}
    </p>
  );
}

/**
 * The plan in force and its limits, today's usage, a pending upgrade request, the plans side by
 * side (owners change them: a downgrade applies at once, an upgrade is a request the operator
 * confirms), and the billing history.
 */
export function Subscription() {
  const { me, refresh } = useSession();
  const current = me.plan;
  const owner = roleAllows(me.member.role, 'owner');
  const plans = useResource<{ plans: Plan[] }>('api/plans');
  const usage = useResource<{ usage: Usage }>('api/usage');
  const payments = useResource<{ payments: Payment[] }>('api/billing/payments');
  const [outcome, setOutcome] = useState<Outcome>();
  // The operator may have changed the plan since the app started: read it again on arrival.
  useEffect(() => { refresh().catch(() => undefined); }, []);
  const planName = (code: PlanCode) => plans.data?.plans.find((p) => p.code === code)?.name ?? code;
  const pending = payments.data?.payments.find((p) => p.status === 'pending');

  const cancel = useSubmit(() => api<{ cancelled: Payment }>('DELETE', 'api/subscription/change'), () => {
    setOutcome({ kind: 'cancelled' });
    payments.reload(true);
  });

  const changed = (plan: Plan, result: PlanChange | undefined) => {
    if (result && !result.applied && result.checkoutUrl) {
      openLink(result.checkoutUrl);
    } else if (result && !result.applied) {
      setOutcome({ kind: 'requested', plan: plan.name });
    } else {
      setOutcome({ kind: 'changed', plan: plan.name, paused: result?.pausedGroups ?? 0 });
      void refresh();
      usage.reload(true);
    }
    payments.reload(true);
  };

  return (
    <Page title={t('subscription.title')} back="settings">
      {outcome && <OutcomeNotice outcome={outcome} />}
      {pending && (
        <section class="card pending" aria-labelledby="pending-request-title" data-testid="pending-request">
          <h2 id="pending-request-title">{t('subscription.pending')}</h2>
          <p>
            <Badge tone="warn">{t('payment.status.pending')}</Badge>{' '}
            {t('subscription.pendingBody', { plan: planName(pending.planCode), at: formatDateTime(pending.at, { dateStyle: 'medium' }), amount: paymentAmount(pending) })}
          </p>
          {owner && (
            <div class="row">
              <button type="button" class="danger" disabled={cancel.busy} aria-busy={cancel.busy} onClick={() => void cancel.submit()}>{t('subscription.cancelRequest')}</button>
            </div>
          )}
          <FormError submission={cancel} />
        </section>
      )}
      <Section title={t('subscription.current')}>
        <p class="row spread">
          <strong class="big" data-testid="current-plan">{current.plan.name}</strong>
          <Badge tone={current.status === 'active' || current.status === 'trialing' ? 'ok' : 'bad'}>{t(`plan.status.${current.status}`)}</Badge>
        </p>
        {current.trialEndsAt && current.status === 'trialing' && <p>{t('subscription.trialEnds', { at: formatDateTime(current.trialEndsAt, { dateStyle: 'long' }) })}</p>}
        {current.currentPeriodEnd && current.status !== 'trialing' && <p>{t('subscription.renews', { at: formatDateTime(current.currentPeriodEnd, { dateStyle: 'long' }) })}</p>}
        <dl class="facts">
          <div><dt>{t('plan.groups')}</dt><dd>{limit(current.maxGroups)}</dd></div>
          <div><dt>{t('plan.messagesPerDay')}</dt><dd>{formatNumber(current.messagesPerDay)}</dd></div>
          <div><dt>{t('plan.features')}</dt><dd>{current.plan.features.map(featureName).join(', ')}</dd></div>
        </dl>
        <h3>{t('dashboard.usage')}</h3>
        <AsyncView resource={usage}>{(u) => <UsageMeter usage={u.usage} />}</AsyncView>
      </Section>
      <Section title={t('subscription.compare')}>
        {!owner && <p class="muted small" data-testid="owners-only">{t('subscription.ownersOnly')}</p>}
        <AsyncView resource={plans}>
          {(d) => (
            <div class="plans" data-testid="plans">
              {d.plans.map((plan) => <PlanCard key={plan.code} plan={plan} current={current.plan} owner={owner} requested={pending?.planCode === plan.code} onChanged={(r) => changed(plan, r)} />)}
            </div>
          )}
        </AsyncView>
      </Section>
      <Section title={t('subscription.history')}>
        <AsyncView resource={payments} isEmpty={(d) => d.payments.length === 0} empty={<p>{t('subscription.noPayments')}</p>}>
          {(d) => (
            <table class="table" data-testid="payments">
              <thead><tr><th scope="col">{t('subscription.date')}</th><th scope="col">{t('subscription.plan')}</th><th scope="col">{t('subscription.amount')}</th><th scope="col">{t('subscription.status')}</th></tr></thead>
              <tbody>
                {d.payments.map((p) => (
                  <tr key={p.id} data-status={p.status}>
                    <td>{formatDateTime(p.at, { dateStyle: 'medium' })}</td>
                    <td>{planName(p.planCode)}</td>
                    <td>{paymentAmount(p)}</td>
                    <td>
                      <PaymentStatusBadge status={p.status} />
                      {p.reference && <small class="block muted">{t('subscription.reference', { reference: p.reference })}</small>}
                      {p.note && p.status !== 'paid' && <small class="block">{t('subscription.reason', { note: paymentNote(p) })}</small>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </AsyncView>
      </Section>
    </Page>
  );
}

function PlanCard({ plan, current, owner, requested, onChanged }: { plan: Plan; current: Plan; owner: boolean; requested: boolean; onChanged(result: PlanChange | undefined): void }) {
  const isCurrent = plan.code === current.code;
  const up = plan.rank > current.rank;
  const change = useSubmit(() => api<PlanChange | undefined>('POST', 'api/subscription/change', { plan: plan.code }), onChanged);
  const question = plan.maxGroups === null
    ? t('subscription.downgradeQuestionNoLimit', { plan: plan.name })
    : t('subscription.downgradeQuestion', { plan: plan.name, groups: formatNumber(plan.maxGroups) });
  return (
    <article class={isCurrent ? 'plan current' : 'plan'} aria-label={plan.name}>
      <h3>{plan.name}</h3>
      <p class="price">{price(plan)}</p>
      <ul class="small">
        <li>{t('plan.groupsLine', { count: limit(plan.maxGroups) })}</li>
        <li>{t('plan.messagesLine', { count: limit(plan.messagesPerDay) })}</li>
        {plan.features.map((f) => <li key={f}>{featureName(f)}</li>)}
      </ul>
      {isCurrent ? <Badge tone="ok">{t('plan.yours')}</Badge>
        : requested ? <Badge tone="warn">{t('plan.requested')}</Badge>
        : owner && (up
          ? <button type="button" class="primary" disabled={change.busy} aria-busy={change.busy} onClick={() => void change.submit()}>{t('plan.upgrade')}</button>
          : <ConfirmButton label={t('plan.downgrade')} question={question} busy={change.busy} onConfirm={() => void change.submit()} />)}
      <FormError submission={change} />
    </article>
  );
}
