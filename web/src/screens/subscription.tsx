import { api } from '../api/client';
import type { Payment, Plan, Usage } from '../api/types';
import { useResource } from '../api/use-resource';
import { AsyncView } from '../components/async';
import { FormError, useSubmit } from '../components/form';
import { Page, Section } from '../components/page';
import { Badge } from '../components/status-badge';
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

function featureName(feature: string): string {
  const key = `feature.${feature}`;
  return hasText(key) ? t(key as 'feature.auto_reply') : feature;
}

/** The plan in force and its limits, today's usage, the plans side by side, and the payments so far. */
export function Subscription() {
  const { me } = useSession();
  const current = me.plan;
  const plans = useResource<{ plans: Plan[] }>('api/plans');
  const usage = useResource<{ usage: Usage }>('api/usage');
  const payments = useResource<{ payments: Payment[] }>('api/billing/payments');
  return (
    <Page title={t('subscription.title')} back="settings">
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
        <AsyncView resource={plans}>
          {(d) => (
            <div class="plans" data-testid="plans">
              {d.plans.map((plan) => <PlanCard key={plan.code} plan={plan} current={current.plan} />)}
            </div>
          )}
        </AsyncView>
      </Section>
      <Section title={t('subscription.history')}>
        <AsyncView resource={payments} isEmpty={(d) => d.payments.length === 0} empty={<p>{t('subscription.noPayments')}</p>}>
          {(d) => (
            <table class="table">
              <thead><tr><th scope="col">{t('subscription.date')}</th><th scope="col">{t('subscription.plan')}</th><th scope="col">{t('subscription.amount')}</th><th scope="col">{t('subscription.status')}</th></tr></thead>
              <tbody>
                {d.payments.map((p) => (
                  <tr key={p.id}><td>{formatDateTime(p.at, { dateStyle: 'medium' })}</td><td>{p.planCode}</td><td>{p.currency === 'XTR' ? `${p.amountCents} ⭐` : formatMoney(p.amountCents, p.currency)}</td><td>{p.status}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </AsyncView>
      </Section>
    </Page>
  );
}

function PlanCard({ plan, current }: { plan: Plan; current: Plan }) {
  const { me, refresh } = useSession();
  const isCurrent = plan.code === current.code;
  const up = plan.rank > current.rank;
  const change = useSubmit(() => api<{ checkoutUrl?: string }>('POST', 'api/subscription/change', { plan: plan.code }), (r) => {
    if (r?.checkoutUrl) openLink(r.checkoutUrl); else void refresh();
  });
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
        : roleAllows(me.member.role, 'owner') && (
          <button type="button" class={up ? 'primary' : ''} disabled={change.busy} onClick={() => void change.submit()}>
            {t(up ? 'plan.upgrade' : 'plan.downgrade')}
          </button>
        )}
      <FormError submission={change} />
    </article>
  );
}
