import type { ApiError } from '../../api/client';
import type { Route } from '../../router';
import { LanguageSwitch } from '../../components/language-switch';
import { t } from '../../i18n';
import { AcceptInvitation } from './accept-invitation';
import { LoginForm } from './login-form';
import { RegisterForm } from './register-form';
import { ResetConfirm } from './reset-confirm';
import { ResetRequest } from './reset-request';

/** Everything before a session: log in, register, the two halves of a password reset, accepting an invitation. */
export function SignedOutScreen({ route, notice, signedIn, onSignedIn }: { route: Route; notice?: ApiError; signedIn: boolean; onSignedIn(): void }) {
  const screen = route.parts[0];
  return (
    <div class="auth">
      <div class="brand" aria-hidden="true"><svg viewBox="0 0 16 16"><path d="M8 1l6 3.5v7L8 15l-6-3.5v-7z" /></svg> Kovan</div>
      <LanguageSwitch />
      {screen === 'register' ? <RegisterForm onSignedIn={onSignedIn} />
        : screen === 'forgot-password' ? <ResetRequest />
        : screen === 'reset-password' ? <ResetConfirm token={route.query.get('token') ?? ''} signedIn={signedIn} />
        : screen === 'accept-invitation' ? <AcceptInvitation token={route.query.get('token') ?? ''} onSignedIn={onSignedIn} />
        : <LoginForm notice={notice} onSignedIn={onSignedIn} />}
      <p class="muted small">{t('auth.tagline')}</p>
    </div>
  );
}
