import type { MessageKey } from '../i18n/en';
import { t } from '../i18n';
import { haptic } from '../telegram';

const tabs: Array<{ path: string; label: MessageKey; icon: string }> = [
  { path: 'dashboard', label: 'nav.dashboard', icon: 'M3 13h8V3H3zm0 8h8v-6H3zm10 0h8V11h-8zm0-18v6h8V3z' },
  { path: 'groups', label: 'nav.groups', icon: 'M16 11a3 3 0 1 0-3-3 3 3 0 0 0 3 3zm-8 0a3 3 0 1 0-3-3 3 3 0 0 0 3 3zm0 2c-2.3 0-7 1.2-7 3.5V19h14v-2.5C15 14.2 10.3 13 8 13zm8 0h-1.1A4.2 4.2 0 0 1 17 16.5V19h6v-2.5c0-2.3-4.7-3.5-7-3.5z' },
  { path: 'templates', label: 'nav.templates', icon: 'M4 4h16v12H7l-3 3zm3 4v2h10V8zm0 4v2h7v-2z' },
  { path: 'delivery', label: 'nav.delivery', icon: 'M3 20l18-8L3 4v6l12 2-12 2z' },
  { path: 'settings', label: 'nav.settings', icon: 'M12 8a4 4 0 1 0 4 4 4 4 0 0 0-4-4zm8.9 5.4l2-1.6-2-3.4-2.4.9a7 7 0 0 0-1.7-1L16.4 6h-4l-.4 2.3a7 7 0 0 0-1.7 1l-2.4-.9-2 3.4 2 1.6a7 7 0 0 0 0 2l-2 1.6 2 3.4 2.4-.9a7 7 0 0 0 1.7 1l.4 2.5h4l.4-2.5a7 7 0 0 0 1.7-1l2.4.9 2-3.4-2-1.6a7 7 0 0 0 0-2z' },
];

/** The tab bar at the bottom: one link per area, the current one marked for screen readers too. */
export function Nav({ current }: { current: string }) {
  return (
    <nav class="tabs" aria-label={t('nav.label')}>
      {tabs.map((tab) => (
        <a key={tab.path} href={`#/${tab.path}`} aria-current={current === tab.path ? 'page' : undefined} onClick={haptic.select}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d={tab.icon} /></svg>
          <span>{t(tab.label)}</span>
        </a>
      ))}
    </nav>
  );
}
