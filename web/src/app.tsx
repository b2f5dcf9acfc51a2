import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError, onSignedOut } from './api/client';
import type { Me, SignedIn } from './api/types';
import { Loading } from './components/async';
import { ConnectionBanner } from './components/connection-banner';
import { ErrorText } from './components/error-text';
import { Nav } from './components/nav';
import { languages, savedLanguage, setLanguage, t, useLanguage } from './i18n';
import { navigate, useRoute } from './router';
import { SessionContext, type Session } from './session';
import { Screen } from './screens';
import { SignedOutScreen } from './screens/login';
import { TelegramLinkPrompt } from './screens/login/telegram-link';
import { insideTelegram, webApp } from './telegram';

type State =
  | { status: 'checking' }
  | { status: 'failed'; error: ApiError }
  | { status: 'out'; notice?: ApiError }
  | { status: 'in'; me: Me };

/** Without a choice saved on this device, the member's own language (set at registration) wins. */
function adoptMemberLanguage(me: Me): void {
  const own = languages.find((l) => l === me.member.language);
  if (own && !savedLanguage()) setLanguage(own);
}

/**
 * Decides who is here: a session cookie (GET /api/auth/me), else — inside Telegram — the
 * Mini App's initData (POST /api/auth/telegram), else the login screens.
 */
async function findSession(): Promise<State> {
  try {
    return { status: 'in', me: await api<Me>('GET', 'api/auth/me') };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) return { status: 'failed', error: error as ApiError };
  }
  const app = webApp();
  if (!app) return { status: 'out' };
  try {
    await api<SignedIn>('POST', 'api/auth/telegram', { initData: app.initData });
    return { status: 'in', me: await api<Me>('GET', 'api/auth/me') };
  } catch (error) {
    return { status: 'out', notice: error as ApiError };
  }
}

export function App() {
  useLanguage();
  const route = useRoute();
  const [state, setState] = useState<State>({ status: 'checking' });

  const check = useCallback(async () => {
    setState({ status: 'checking' });
    const found = await findSession();
    if (found.status === 'in') adoptMemberLanguage(found.me);
    setState(found);
  }, []);

  useEffect(() => { void check(); }, [check]);
  useEffect(() => onSignedOut(() => setState((s) => (s.status === 'in' ? { status: 'out' } : s))), []);

  if (state.status === 'checking') return <main class="center"><Loading label={t('app.starting')} /></main>;
  if (state.status === 'failed') {
    return <main class="center"><ConnectionBanner /><ErrorText error={state.error} onRetry={check} /></main>;
  }
  if (state.status === 'out' || route.parts[0] === 'reset-password' || route.parts[0] === 'accept-invitation') {
    return (
      <main class="signed-out">
        <ConnectionBanner />
        <SignedOutScreen route={route} notice={state.status === 'out' ? state.notice : undefined} signedIn={state.status === 'in'} onSignedIn={check} />
      </main>
    );
  }

  const session: Session = {
    me: state.me,
    refresh: async () => setState({ status: 'in', me: await api<Me>('GET', 'api/auth/me') }),
    signOut: async () => {
      await api('POST', 'api/auth/logout').catch(() => undefined);
      setState({ status: 'out' });
      navigate('login', true);
    },
  };
  const area = route.parts[0] ?? 'dashboard';
  return (
    <SessionContext.Provider value={session}>
      <div class="shell">
        <ConnectionBanner />
        {insideTelegram() && state.me.member.telegramUserId === null && <TelegramLinkPrompt />}
        <main id="main">
          <Screen route={route} />
        </main>
        <Nav current={area} />
      </div>
    </SessionContext.Provider>
  );
}
