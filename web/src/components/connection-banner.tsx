import { useEffect, useState } from 'preact/hooks';
import { isOnline, onConnectionChange } from '../api/client';
import { t } from '../i18n';

/** Says so while the server cannot be reached; the client keeps retrying and screens reload when it is back. */
export function ConnectionBanner() {
  const [online, setOnline] = useState(isOnline());
  useEffect(() => onConnectionChange(() => setOnline(isOnline())), []);
  if (online) return null;
  return <div class="banner bad" role="alert" data-testid="offline-banner"><span class="spinner" aria-hidden="true" />{t('connection.lost')}</div>;
}
