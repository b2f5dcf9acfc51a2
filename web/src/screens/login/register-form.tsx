import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import { FormError, SubmitButton, TextField, useSubmit } from '../../components/form';
import { language, t } from '../../i18n';

/** A new customer: tenant, owner login and a Basic trial in one step. */
export function RegisterForm({ onSignedIn }: { onSignedIn(): void }) {
  const [form, setForm] = useState({ username: '', email: '', password: '', tenant_name: '' });
  const field = (name: keyof typeof form) => ({ value: form[name], onValue: (value: string) => setForm({ ...form, [name]: value }) });
  const submission = useSubmit(() => api('POST', 'api/auth/register', {
    username: form.username, email: form.email, password: form.password,
    ...(form.tenant_name.trim() ? { tenant_name: form.tenant_name.trim() } : {}),
    language: language(),
  }), onSignedIn);
  return (
    <form class="card" onSubmit={submission.submit} noValidate>
      <h1>{t('register.title')}</h1>
      <TextField label={t('register.username')} name="username" autocomplete="username" autoCapitalize="none" required
        hint={t('register.usernameHint')} error={submission.fieldError('username')} {...field('username')} />
      <TextField label={t('register.email')} name="email" type="email" autocomplete="email" required
        error={submission.fieldError('email')} {...field('email')} />
      <TextField label={t('register.password')} name="password" type="password" autocomplete="new-password" required
        hint={t('register.passwordHint')} error={submission.fieldError('password')} {...field('password')} />
      <TextField label={t('register.tenant')} name="tenant_name" autocomplete="organization"
        hint={t('register.tenantHint')} error={submission.fieldError('tenant_name')} {...field('tenant_name')} />
      <FormError submission={submission} fields={['username', 'email', 'password', 'tenant_name']} />
      <SubmitButton submission={submission} label={t('register.submit')} busyLabel={t('register.busy')} />
      <p class="links"><a href="#/login">{t('register.haveAccount')}</a></p>
    </form>
  );
}
