import type { ApiError } from '../api/client';
import { hasText, t } from '../i18n';

/** An API error in the user's language: what happened (by code) and the server's own words. */
export function errorSentence(error: ApiError): { headline: string; detail?: string } {
  const key = `error.${error.code}`;
  if (error.code === 'network') return { headline: t('error.network') };
  const headline = hasText(key) ? t(key) : error.message;
  const detail = error.fields.length > 0
    ? error.fields.map((f) => `${f.field}: ${f.message}`).join('; ')
    : error.message !== headline ? error.message : undefined;
  return { headline, detail };
}

/** An error shown where it happened; `plan_required` links to the plan that lifts it. */
export function ErrorText({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { headline, detail } = errorSentence(error);
  const requiredPlan = error.code === 'plan_required' ? String(error.details.requiredPlan ?? '') : '';
  return (
    <div class="error" role="alert">
      <strong>{headline}</strong>
      {detail && <span class="error-detail"> {detail}</span>}
      {requiredPlan && <> <a href="#/subscription">{t('error.upgradeTo', { plan: requiredPlan })}</a></>}
      {error.status >= 500 && error.requestId && <span class="error-detail"> ({t('error.requestId', { id: error.requestId })})</span>}
      {onRetry && <> <button type="button" class="link" onClick={onRetry}>{t('common.retry')}</button></>}
    </div>
  );
}
