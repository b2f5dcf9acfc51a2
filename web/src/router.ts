import { useEffect, useState } from 'preact/hooks';

/** The screen in the URL fragment: `#/groups/42?tab=settings` → parts ['groups', '42']. */
export interface Route {
  parts: string[];
  query: URLSearchParams;
}

function current(): Route {
  const [path = '', search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

/** Re-renders on every fragment change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => { setRoute(current()); window.scrollTo(0, 0); };
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** Goes to `#/<to>`; `replace` leaves no history entry (redirects). */
export function navigate(to: string, replace = false): void {
  const hash = `#/${to.replace(/^[#/]+/, '')}`;
  if (replace) {
    history.replaceState(null, '', hash);
    dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

/** Telegram's launch parameters arrive in the fragment; once read, they make way for the router. */
export function clearLaunchFragment(): void {
  if (/tgWebApp/.test(location.hash)) history.replaceState(null, '', `${location.pathname}${location.search}#/`);
}
