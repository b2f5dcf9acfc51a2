import { useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import { FormError, SubmitButton, TextField, useSubmit } from '../../components/form';
import { t } from '../../i18n';

/** The e-mailed link (`#/reset-password?token=…`): choose a new password; every other session ends. */
export function ResetConfirm({ token, signedIn }: { token: string; signedIn: boolean }) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const submission = useSubmit(async () => {
    if (password !== repeat) throw new ApiError('validation_failed', t('reset.mismatch'), 400, [{ field: 'repeat', message: t('reset.mismatch') }]);
    await api('POST', 'api/auth/password-reset/confirm', { token, password });
  }, () => setDone(true));
  if (!token) {
    return <div class="card"><h1>{t('reset.confirmTitle')}</h1><p class="error" role="alert">{t('reset.noToken')}</p><p class="links"><a href="#/forgot-password">{t('reset.requestTitle')}</a></p></div>;
  }
  return (
    <form class="card" onSubmit={submission.submit} noValidate>
      <h1>{t('reset.confirmTitle')}</h1>
      {done
        ? <p class="notice" role="status">{t('reset.done')} <a href={signedIn ? '#/dashboard' : '#/login'}>{t(signedIn ? 'nav.dashboard' : 'login.submit')}</a></p>
        : <>
          <TextField label={t('reset.newPassword')} name="password" type="password" autocomplete="new-password" required
            hint={t('register.passwordHint')} value={password} onValue={setPassword} error={submission.fieldError('password')} />
          <TextField label={t('reset.repeat')} name="repeat" type="password" autocomplete="new-password" required
            value={repeat} onValue={setRepeat} error={submission.fieldError('repeat')} />
          <FormError submission={submission} fields={['password', 'repeat']} />
          <SubmitButton submission={submission} label={t('reset.confirmSubmit')} />
        </>}
    </form>
  );
}
