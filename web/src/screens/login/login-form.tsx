import { useState } from 'preact/hooks';
import type { ApiError } from '../../api/client';
import { api } from '../../api/client';
import { ErrorText } from '../../components/error-text';
import { FormError, SubmitButton, TextField, useSubmit } from '../../components/form';
import { t } from '../../i18n';
import { insideTelegram } from '../../telegram';

/** Password login. Inside Telegram it also explains why automatic login did not happen. */
export function LoginForm({ notice, onSignedIn }: { notice?: ApiError; onSignedIn(): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const submission = useSubmit(() => api('POST', 'api/auth/login', { username, password }), onSignedIn);
  return (
    <form class="card" onSubmit={submission.submit} noValidate>
      <h1>{t('login.title')}</h1>
      {notice?.code === 'telegram_not_linked'
        ? <p class="notice" role="status">{t('login.telegramNotLinked')}</p>
        : notice && <ErrorText error={notice} />}
      <TextField label={t('login.username')} name="username" autocomplete="username" autoCapitalize="none" required
        value={username} onValue={setUsername} error={submission.fieldError('username')} />
      <TextField label={t('login.password')} name="password" type="password" autocomplete="current-password" required
        value={password} onValue={setPassword} error={submission.fieldError('password')} />
      <FormError submission={submission} fields={['username', 'password']} />
      <SubmitButton submission={submission} label={t('login.submit')} busyLabel={t('login.busy')} />
      <p class="links">
        <a href="#/forgot-password">{t('login.forgot')}</a>
        <a href="#/register">{t('login.register')}</a>
      </p>
      {insideTelegram() && <p class="muted small">{t('login.linkAfter')}</p>}
    </form>
  );
}
