import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { FormError, SubmitButton, TextField, useSubmit } from '../../components/form';
import { t } from '../../i18n';

/** Asks for a reset link by e-mail; the answer is the same whether or not the address is known. */
export function ResetRequest() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const submission = useSubmit(() => api('POST', 'api/auth/password-reset/request', { email }), () => setSent(true));
  return (
    <form class="card" onSubmit={submission.submit} noValidate>
      <h1>{t('reset.requestTitle')}</h1>
      {sent
        ? <p class="notice" role="status">{t('reset.sent', { email })}</p>
        : <>
          <p class="muted">{t('reset.requestIntro')}</p>
          <TextField label={t('register.email')} name="email" type="email" autocomplete="email" required
            value={email} onValue={setEmail} error={submission.fieldError('email')} />
          <FormError submission={submission} fields={['email']} />
          <SubmitButton submission={submission} label={t('reset.requestSubmit')} busyLabel={t('common.sending')} />
        </>}
      <p class="links"><a href="#/login">{t('reset.backToLogin')}</a></p>
    </form>
  );
}
