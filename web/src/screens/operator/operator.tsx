import type { Fleet, Plan } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { Page, Section } from '../../components/page';
import { Badge } from '../../components/status-badge';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { roleAllows, useSession } from '../../session';
import { Tenants } from './tenants';

/** A worker whose heartbeat is older than this is shown as stale (leases live a few seconds to a minute). */
const staleAfterMs = 60_000;

/** The operator's view: worker fleet health, the tenants (plans, upgrade requests), the sessions it runs, and the plans on sale. */
export function Operator() {
  const { me } = useSession();
  // Operators are the admins and owners of an operator tenant (the API answers others with 403).
  const operator = me.tenant.isOperator && roleAllows(me.member.role, 'admin');
  const fleet = useResource<Fleet>(operator ? 'api/admin/fleet' : null);
  const plans = useResource<{ plans: Plan[] }>(operator ? 'api/plans' : null);
  if (!operator) return <Page title={t('operator.title')}><p class="notice">{t('operator.only')}</p></Page>;
  return (
    <Page title={t('operator.title')} back="settings">
      <AsyncView resource={plans}>{(d) => <Tenants plans={d.plans} />}</AsyncView>
      <AsyncView resource={fleet}>
        {(f) => (
          <>
            <dl class="stats">
              <div class="stat"><dt>{t('operator.workers')}</dt><dd>{f.workers.length}</dd></div>
              <div class="stat"><dt>{t('operator.sessions')}</dt><dd>{f.sessions.length}</dd></div>
              <div class="stat"><dt>{t('operator.unowned')}</dt><dd>{f.sessions.filter((s) => !s.workerId).length}</dd></div>
              <div class="stat"><dt>{t('operator.failing')}</dt><dd>{f.sessions.filter((s) => s.failures > 0).length}</dd></div>
            </dl>
            <Section title={t('operator.fleet')}>
              {f.workers.length === 0 ? <p class="empty">{t('operator.noWorkers')}</p> : (
                <table class="table">
                  <thead><tr><th scope="col">{t('operator.worker')}</th><th scope="col">{t('operator.pool')}</th><th scope="col">{t('operator.leases')}</th><th scope="col">{t('operator.heartbeat')}</th></tr></thead>
                  <tbody>
                    {f.workers.map((w) => {
                      const healthy = !w.draining && Date.now() - Date.parse(w.heartbeatAt) < staleAfterMs;
                      return (
                        <tr key={w.id}>
                          <td><Badge tone={healthy ? 'ok' : 'bad'}>{t(w.draining ? 'operator.draining' : healthy ? 'operator.healthy' : 'operator.stale')}</Badge> {w.hostname}</td>
                          <td>{w.pool}</td>
                          <td>{f.sessions.filter((s) => s.workerId === w.id).length} / {w.capacity}</td>
                          <td>{formatDateTime(w.heartbeatAt, { timeStyle: 'medium' })}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </Section>
            <Section title={t('operator.tenants')}>
              {f.sessions.length === 0 ? <p class="empty">{t('operator.noTenants')}</p> : (
                <table class="table">
                  <thead><tr><th scope="col">{t('operator.tenant')}</th><th scope="col">{t('operator.pool')}</th><th scope="col">{t('operator.state')}</th><th scope="col">{t('operator.problem')}</th></tr></thead>
                  <tbody>
                    {f.sessions.map((s) => (
                      <tr key={s.tenantId}>
                        <td>{s.tenantName}</td>
                        <td>{s.pool}</td>
                        <td><Badge tone={s.failures > 0 ? 'bad' : s.workerId ? 'ok' : 'warn'}>{s.state}</Badge></td>
                        <td class="small">
                          {s.waitingReason && <p>{t('operator.waiting')}: {s.waitingReason}</p>}
                          {s.lastError ?? ''}{s.failures > 0 && ` (${formatNumber(s.failures)}×)`}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
          </>
        )}
      </AsyncView>
      <AsyncView resource={plans}>{(d) => <Plans plans={d.plans} />}</AsyncView>
    </Page>
  );
}

function Plans({ plans }: { plans: Plan[] }) {
  return (
    <Section title={t('operator.plans')}>
      <table class="table">
        <thead><tr><th scope="col">{t('subscription.plan')}</th><th scope="col">{t('plan.groups')}</th><th scope="col">{t('plan.messagesPerDay')}</th><th scope="col">{t('plan.features')}</th></tr></thead>
        <tbody>
          {plans.map((p) => (
            <tr key={p.code}><td>{p.name}</td><td>{p.maxGroups ?? '∞'}</td><td>{p.messagesPerDay === null ? '∞' : formatNumber(p.messagesPerDay)}</td><td>{p.features.length}</td></tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
