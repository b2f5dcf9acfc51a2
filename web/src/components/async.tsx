import type { ComponentChildren } from 'preact';
import type { Resource } from '../api/use-resource';
import { t } from '../i18n';
import { ErrorText } from './error-text';

export function Loading({ label }: { label?: string }) {
  return <p class="loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true" />{label ?? t('common.loading')}</p>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

/**
 * A resource's three states in one place: loading, its error with Retry, or its data
 * (`isEmpty` data shows `empty` instead).
 */
export function AsyncView<T>({ resource, isEmpty, empty, children }: {
  resource: Resource<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ComponentChildren;
  children: (data: T) => ComponentChildren;
}) {
  if (resource.data !== undefined) {
    if (isEmpty?.(resource.data)) return <Empty>{empty}</Empty>;
    return <>{children(resource.data)}</>;
  }
  if (resource.error) return <ErrorText error={resource.error} onRetry={() => resource.reload()} />;
  return <Loading />;
}
