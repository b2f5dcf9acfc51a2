import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { AdminTenant, Payment, Plan, PlanCode } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { FormError, SelectField, SubmitButton, TextField, useSubmit } from '../../components/form';
import { Section } from '../../components/page';
import { Badge } from '../../components/status-badge';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { paymentAmount } from '../subscription';

/** How long the search box waits for more typing before it asks the API. */
const searchDelayMs = 300;

/**
 * The operator's tenants: a search by name, each tenant's plan, usage and pending upgrade
 * request, and a panel to change a tenant's plan (confirming or rejecting its request).
 */
export function Tenants({ plans }: { plans: Plan[] }) {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState<string>();
  const [done, setDone] = useState<string>();
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), searchDelayMs);
    return () => clearTimeout(timer);
  }, [search]);
  const tenants = useResource<{ items: AdminTenant[] }>(`api/admin/tenants?limit=100${query ? `&q=${encodeURIComponent(query)}` : ''}`);
  const planName = (code: PlanCode | null) => (code === null ? t('operator.noSubscription') : plans.find((p) => p.code === code)?.name ?? code);
  const selected = tenants.data?.items.find((item) => item.id === open);
  const finished = (message: string) => {
    setOpen(undefined);
    setDone(message);
    tenants.reload(true);
  };

  return (
    <Section title={t('operator.tenantList')} id="tenants-title">
      <form role="search" class="row search" onSubmit={(e) => { e.preventDefault(); if (search.trim() === query) tenants.reload(true); else setQuery(search.trim()); }}>
        <TextField label={t('operator.search')} name="q" value={search} onValue={setSearch} autocomplete="off" spellcheck={false} />
        <button type="submit">{t('operator.searchButton')}</button>
      </form>
      {done && <p class="notice ok" role="status" data-testid="operator-outcome">{done}</p>}
      <AsyncView resource={tenants} isEmpty={(d) => d.items.length === 0} empty={<p>{t('operator.noMatch')}</p>}>
        {(d) => (
          <div class="scroll-x" role="region" aria-labelledby="tenants-title" tabIndex={0}>
            <table class="table" data-testid="tenants">
              <thead>
                <tr>
                  <th scope="col">{t('operator.tenant')}</th><th scope="col">{t('subscription.plan')}</th><th scope="col">{t('operator.subscription')}</th>
                  <th scope="col">{t('plan.groups')}</th><th scope="col">{t('operator.messagesToday')}</th><th scope="col">{t('operator.created')}</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((tenant) => (
                  <tr key={tenant.id} data-testid="tenant-row" data-tenant={tenant.name}>
                    <th scope="row">
                      <span class="block">{tenant.name}</span>
                      {tenant.isOperator && <Badge tone="muted">{t('operator.operatorBadge')}</Badge>}
                      {tenant.status !== 'active' && <Badge tone="bad">{t(`operator.tenantStatus.${tenant.status}`)}</Badge>}
                      {tenant.pendingPayment && <Badge tone="warn">{t('operator.pending', { plan: planName(tenant.pendingPayment.planCode) })}</Badge>}
                      <button type="button" class="small-button" aria-expanded={open === tenant.id} aria-controls="tenant-plan-panel"
                        onClick={() => { setDone(undefined); setOpen(open === tenant.id ? undefined : tenant.id); }}>
                        {t('operator.changePlan')}
                        <span class="sr-only">{` ${tenant.name}`}</span>
                      </button>
                    </th>
                    <td>
                      {planName(tenant.planCode)}
                      {tenant.workerPool !== 'shared' && <small class="block muted" data-testid="tenant-pool">{t('operator.onPool', { pool: tenant.workerPool })}</small>}
                      {tenant.customLimits.maxGroups !== null && <small class="block muted">{t('operator.customGroups', { count: formatNumber(tenant.customLimits.maxGroups) })}</small>}
                      {tenant.customLimits.messagesPerDay !== null && <small class="block muted">{t('operator.customMessages', { count: formatNumber(tenant.customLimits.messagesPerDay) })}</small>}
                    </td>
                    <td>{tenant.subscriptionStatus ? t(`plan.status.${tenant.subscriptionStatus}`) : t('operator.noSubscription')}</td>
                    <td>{formatNumber(tenant.groups)}</td>
                    <td>{formatNumber(tenant.messagesToday)}</td>
                    <td>{formatDateTime(tenant.createdAt, { dateStyle: 'medium' })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </AsyncView>
      {selected && <TenantPlanPanel key={`${selected.id}:${selected.pendingPayment?.id ?? ''}`} tenant={selected} plans={plans} planName={planName} onClose={() => setOpen(undefined)} onDone={finished} />}
    </Section>
  );
}

/** A whole number as the API takes it; anything else goes as typed, so the API names the field. */
function wholeNumber(value: string): number | string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** "79.99" (or "79,99") in the currency's units → cents; undefined when empty. */
function cents(value: string): number | undefined {
  const trimmed = value.trim().replace(',', '.');
  if (trimmed === '') return undefined;
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) {
    throw new ApiError('validation_failed', t('operator.amountInvalid'), 400, [{ field: 'amountCents', message: t('operator.amountInvalid') }]);
  }
  return Math.round(Number(trimmed) * 100);
}

const panelFields = ['plan', 'maxGroups', 'messagesPerDay', 'reference', 'amountCents'];

function TenantPlanPanel({ tenant, plans, planName, onClose, onDone }: {
  tenant: AdminTenant;
  plans: Plan[];
  planName(code: PlanCode | null): string;
  onClose(): void;
  onDone(message: string): void;
}) {
  const pending: Payment | null = tenant.pendingPayment;
  const [plan, setPlan] = useState<PlanCode>(pending?.planCode ?? tenant.planCode ?? plans[0]?.code ?? 'basic');
  const [maxGroups, setMaxGroups] = useState(tenant.customLimits.maxGroups?.toString() ?? '');
  const [messagesPerDay, setMessagesPerDay] = useState(tenant.customLimits.messagesPerDay?.toString() ?? '');
  const [reference, setReference] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus(); }, []);

  const confirming = pending !== null && plan === pending.planCode;
  const currency = (confirming ? pending.currency : plans.find((p) => p.code === plan)?.currency) ?? 'USD';
  const apply = useSubmit(() => {
    const amountCents = cents(amount);
    return api<{ tenant: AdminTenant; pausedGroups?: number }>('POST', `api/admin/tenants/${tenant.id}/plan`, {
      plan,
      maxGroups: wholeNumber(maxGroups),
      messagesPerDay: wholeNumber(messagesPerDay),
      ...(reference.trim() ? { reference: reference.trim() } : {}),
      ...(amountCents === undefined ? {} : { amountCents }),
    });
  }, (r) => {
    const applied = t('operator.applied', { name: tenant.name, plan: planName(r?.tenant?.planCode ?? plan) });
    const paused = r?.pausedGroups ?? 0;
    onDone(paused > 0 ? `${applied} ${t('operator.paused', { count: formatNumber(paused) })}` : applied);
  });
  const reject = useSubmit(() => api<{ payment: Payment }>('POST', `api/admin/tenants/${tenant.id}/plan-request/reject`, { reason: reason.trim() }),
    () => onDone(t('operator.rejected', { name: tenant.name })));
  const [pool, setPool] = useState(tenant.workerPool);
  const move = useSubmit(() => api<{ tenant: AdminTenant }>('POST', `api/admin/tenants/${tenant.id}/pool`, { pool: pool.trim() }),
    (r) => onDone(t('operator.moved', { name: tenant.name, pool: r?.tenant.workerPool ?? pool })));

  return (
    <div class="panel" id="tenant-plan-panel" data-testid="tenant-plan-panel">
      <h3 ref={heading} tabIndex={-1}>{t('operator.changePlanOf', { name: tenant.name })}</h3>
      <p class="muted small">{t('operator.currentPlan', { plan: planName(tenant.planCode) })}</p>
      {pending && (
        <p class="notice warn" data-testid="tenant-pending">
          {t('operator.pendingBody', { plan: planName(pending.planCode), at: formatDateTime(pending.at, { dateStyle: 'medium', timeStyle: 'short' }), amount: paymentAmount(pending) })}
        </p>
      )}
      <form onSubmit={apply.submit} noValidate>
        <SelectField<PlanCode> label={t('subscription.plan')} value={plan} onValue={setPlan} options={plans.map((p) => ({ value: p.code, label: p.name }))} error={apply.fieldError('plan')} />
        <div class="row">
          <TextField label={t('operator.maxGroups')} name="maxGroups" inputMode="numeric" value={maxGroups} onValue={setMaxGroups}
            hint={t('operator.limitHint')} error={apply.fieldError('maxGroups')} />
          <TextField label={t('operator.messagesPerDay')} name="messagesPerDay" inputMode="numeric" value={messagesPerDay} onValue={setMessagesPerDay}
            required={plan === 'enterprise'} hint={t(plan === 'enterprise' ? 'operator.messagesRequired' : 'operator.limitHint')} error={apply.fieldError('messagesPerDay')} />
        </div>
        <div class="row">
          <TextField label={t('operator.reference')} name="reference" maxLength={120} value={reference} onValue={setReference}
            hint={t('operator.referenceHint')} error={apply.fieldError('reference')} />
          <TextField label={t('operator.amount', { currency })} name="amount" inputMode="decimal" value={amount} onValue={setAmount}
            hint={t(confirming ? 'operator.amountHintPending' : 'operator.amountHint')} error={apply.fieldError('amountCents')} />
        </div>
        <FormError submission={apply} fields={panelFields} />
        <div class="row">
          <SubmitButton submission={apply} label={t(confirming ? 'operator.confirmRequest' : 'operator.applyPlan')} />
          <button type="button" onClick={onClose}>{t('operator.close')}</button>
        </div>
      </form>
      <form class="pool" onSubmit={move.submit} noValidate>
        <h4>{t('operator.poolTitle')}</h4>
        <TextField label={t('operator.pool')} name="pool" maxLength={63} autocomplete="off" spellcheck={false} value={pool} onValue={setPool}
          hint={t('operator.poolHint')} error={move.fieldError('pool')} />
        <FormError submission={move} fields={['pool']} />
        <SubmitButton submission={move} label={t('operator.movePool')} />
      </form>
      {pending && (
        <form class="reject" onSubmit={reject.submit} noValidate>
          <h4>{t('operator.rejectTitle')}</h4>
          <TextField label={t('operator.rejectReason')} name="reason" maxLength={300} value={reason} onValue={setReason} error={reject.fieldError('reason')} />
          <FormError submission={reject} fields={['reason']} />
          <button type="submit" class="danger" disabled={reject.busy} aria-busy={reject.busy}>{t('operator.reject')}</button>
        </form>
      )}
    </div>
  );
}
