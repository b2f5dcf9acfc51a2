import type { Usage } from '../api/types';
import { formatDateTime, formatNumber, t } from '../i18n';

/** Today's messages against the plan's daily limit, the day's forecast and when the quota resets. */
export function UsageMeter({ usage }: { usage: Usage }) {
  const share = usage.limit > 0 ? Math.min(1, usage.used / usage.limit) : 1;
  const percent = Math.round(share * 100);
  const tone = share >= 1 ? 'bad' : share >= 0.8 ? 'warn' : 'ok';
  const at = (iso: string) => formatDateTime(iso, { timeStyle: 'short', timeZone: usage.timeZone });
  return (
    <div class="usage" data-testid="usage-meter">
      <div class="usage-line">
        <span>{t('usage.used', { used: formatNumber(usage.used), limit: formatNumber(usage.limit) })}</span>
        <strong data-testid="usage-percent">{t('usage.percent', { percent })}</strong>
      </div>
      <div class={`meter ${tone}`} role="progressbar" aria-label={t('usage.label')} aria-valuemin={0} aria-valuemax={usage.limit}
        aria-valuenow={Math.min(usage.used, usage.limit)} aria-valuetext={t('usage.percent', { percent })}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <p class="muted small">
        {share >= 1 ? t('usage.exhausted')
          : usage.forecast.exhaustsAt ? t('usage.runsOut', { at: at(usage.forecast.exhaustsAt), forecast: formatNumber(usage.forecast.projectedUsed) })
          : t('usage.forecast', { forecast: formatNumber(usage.forecast.projectedUsed) })}
        {usage.queued > 0 && ` ${t('usage.queued', { count: formatNumber(usage.queued) })}`}
        {' '}{t('usage.resets', { at: at(usage.resetsAt), zone: usage.timeZone })}
      </p>
    </div>
  );
}
