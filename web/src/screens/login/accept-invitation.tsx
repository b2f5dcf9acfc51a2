import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { FormError, SubmitButton, TextField, useSubmit } from '../../components/form';
import { t } from '../../i18n';

/** The invitation e-mail's link (`#/accept-invitation?token=…`): choose a username and password, and you are in the team. */
export function AcceptInvitation({ token, onSignedIn }: { token: string; onSignedIn(): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const accept = useSubmit(() => api('POST', 'api/members/invitations/accept', { token, username, password }), onSignedIn);
  if (!token) return <div class="card"><h1>{t('invite.title')}</h1><p class="error" role="alert">{t('invite.noToken')}</p></div>;
  return (
    <form class="card" onSubmit={accept.submit} noValidate>
      <h1>{t('invite.title')}</h1>
      <p class="muted">{t('invite.intro')}</p>
      <TextField label={t('register.username')} name="username" autocomplete="username" autoCapitalize="none" required
        hint={t('register.usernameHint')} value={username} onValue={setUsername} error={accept.fieldError('username')} />
      <TextField label={t('register.password')} name="password" type="password" autocomplete="new-password" required
        hint={t('register.passwordHint')} value={password} onValue={setPassword} error={accept.fieldError('password')} />
      <FormError submission={accept} fields={['username', 'password']} />
      <SubmitButton submission={accept} label={t('invite.submit')} />
    </form>
  );
}
