import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import type { ApiKey, Page } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { ConfirmButton } from '../../components/confirm-button';
import { FormError, SubmitButton, TextField, Toggle, useSubmit } from '../../components/form';
import { Page as Screen, Section } from '../../components/page';
import { formatDateTime, t } from '../../i18n';
import { hasFeature, roleAllows, useSession } from '../../session';

/** API keys for the public REST API (Premium): create (the secret is shown once), see use, revoke. */
export function ApiKeys() {
  const { me } = useSession();
  const included = hasFeature(me, 'api_access');
  const owner = roleAllows(me.member.role, 'owner');
  const keys = useResource<Page<ApiKey>>(included && owner ? 'api/api-keys?limit=100' : null);
  return (
    <Screen title={t('settings.apiKeys')} back="settings">
      <p class="muted">{t('apiKeys.intro')} <a href="api/docs" target="_blank" rel="noopener">{t('apiKeys.docs')}</a></p>
      {!included ? (
        <p class="notice" data-testid="plan-required">{t('apiKeys.premium')} <a href="#/subscription">{t('groups.seePlans')}</a></p>
      ) : !owner ? (
        <p class="notice">{t('apiKeys.ownersOnly')}</p>
      ) : (
        <>
          <AsyncView resource={keys} isEmpty={(d) => !d.items.some((k) => !k.revokedAt)} empty={<p>{t('apiKeys.empty')}</p>}>
            {(d) => (
              <ul class="list">
                {d.items.filter((k) => !k.revokedAt).map((key) => <KeyRow key={key.id} apiKey={key} onChanged={() => keys.reload(true)} />)}
              </ul>
            )}
          </AsyncView>
          <CreateKey onCreated={() => keys.reload(true)} />
        </>
      )}
    </Screen>
  );
}

function KeyRow({ apiKey, onChanged }: { apiKey: ApiKey; onChanged(): void }) {
  const revoke = useSubmit(() => api('DELETE', `api/api-keys/${apiKey.id}`), onChanged);
  return (
    <li class="list-item">
      <span class="grow">
        <strong>{apiKey.name}</strong>
        <small class="muted">
          <code>{apiKey.prefix}…{apiKey.last4}</code> · {apiKey.scopes.map((scope) => t(`apiKeys.scope.${scope}`)).join(', ')}
          {' · '}{apiKey.lastUsedAt ? t('apiKeys.lastUsed', { at: formatDateTime(apiKey.lastUsedAt) }) : t('apiKeys.neverUsed')}
          {apiKey.expiresAt && ` · ${t('apiKeys.expires', { at: formatDateTime(apiKey.expiresAt, { dateStyle: 'medium' }) })}`}
        </small>
      </span>
      <ConfirmButton label={t('apiKeys.revoke')} question={t('apiKeys.revokeQuestion', { name: apiKey.name })} onConfirm={() => void revoke.submit()} busy={revoke.busy} />
      <FormError submission={revoke} />
    </li>
  );
}

function CreateKey({ onCreated }: { onCreated(): void }) {
  const [name, setName] = useState('');
  const [write, setWrite] = useState(false);
  const [secret, setSecret] = useState<string>();
  const create = useSubmit(() => api<{ apiKey: ApiKey; key: string }>('POST', 'api/api-keys', { name, scopes: write ? ['read', 'write'] : ['read'] }),
    (r) => { setSecret(r.key); setName(''); onCreated(); });
  return (
    <Section title={t('apiKeys.create')}>
      {secret && <p class="notice ok" role="status">{t('apiKeys.secretOnce')} <code class="break" data-testid="api-key-secret">{secret}</code></p>}
      <form onSubmit={create.submit} noValidate>
        <TextField label={t('apiKeys.name')} required value={name} onValue={setName} error={create.fieldError('name')} />
        <Toggle label={t('apiKeys.write')} hint={t('apiKeys.writeHint')} checked={write} onChange={setWrite} error={create.fieldError('scopes')} />
        <FormError submission={create} fields={['name', 'scopes']} />
        <SubmitButton submission={create} label={t('apiKeys.create')} />
      </form>
    </Section>
  );
}
