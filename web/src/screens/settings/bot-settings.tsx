import { useState } from 'preact/hooks';
import { api } from '../../api/client';
import type { Bot, CheckStatus, SetupChecklist } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { BotStatusCard } from '../../components/bot-status';
import { ConfirmButton } from '../../components/confirm-button';
import { FormError, SubmitButton, TextField, useSubmit } from '../../components/form';
import { Page, Section } from '../../components/page';
import { Badge, type Tone } from '../../components/status-badge';
import { formatDateTime, t } from '../../i18n';
import { DemoBot } from './demo-bot';
import { roleAllows, useSession } from '../../session';

/** Connect a bot token, see its setup checklist (privacy mode, admin rights, webhook), disconnect it. */
export function BotSettings() {
  const { me } = useSession();
  const canEdit = roleAllows(me.member.role, 'admin');
  const bots = useResource<{ bots: Bot[] }>('api/bots');
  return (
    <Page title={t('settings.bot')} back="settings">
      <AsyncView resource={bots}>
        {(d) => (
          <>
            {d.bots.map((bot) => <BotCard key={bot.id} bot={bot} canEdit={canEdit} onChanged={() => bots.reload(true)} />)}
            <DemoBot bots={d.bots} canEdit={canEdit} onChanged={() => bots.reload(true)} />
            {canEdit && <ConnectBot first={d.bots.length === 0} onConnected={() => bots.reload(true)} />}
          </>
        )}
      </AsyncView>
    </Page>
  );
}

function ConnectBot({ first, onConnected }: { first: boolean; onConnected(): void }) {
  const [token, setToken] = useState('');
  const connect = useSubmit(() => api<{ bot: Bot }>('POST', 'api/bots', { token: token.trim() }), () => { setToken(''); onConnected(); });
  return (
    <Section title={first ? t('bot.connectTitle') : t('bot.replaceTitle')}>
      <ol class="steps small">
        <li>{t('bot.connectStep1')}</li>
        <li>{t('bot.connectStep2')}</li>
        <li>{t('bot.connectStep3')}</li>
      </ol>
      <form onSubmit={connect.submit} noValidate>
        <TextField label={t('bot.token')} name="token" autocomplete="off" autoCapitalize="none" spellcheck={false} required
          placeholder="123456789:AA…" value={token} onValue={setToken} error={connect.fieldError('token')} hint={t('bot.tokenHint')} />
        <FormError submission={connect} fields={['token']} />
        <SubmitButton submission={connect} label={t('bot.connect')} busyLabel={t('bot.connecting')} />
      </form>
    </Section>
  );
}

const checkTones: Record<CheckStatus, Tone> = { ok: 'ok', warning: 'warn', failed: 'bad', skipped: 'muted' };
const checkMarks: Record<CheckStatus, string> = { ok: '✓', warning: '!', failed: '✕', skipped: '–' };

function BotCard({ bot, canEdit, onChanged }: { bot: Bot; canEdit: boolean; onChanged(): void }) {
  const checklist = useResource<{ checklist: SetupChecklist }>(`api/bots/${bot.id}/checklist`);
  const disconnect = useSubmit(() => api('DELETE', `api/bots/${bot.id}`), onChanged);
  return (
    <Section title={`@${bot.username}`}>
      <BotStatusCard bot={bot} />
      <p class="muted small">{t('bot.tokenShown', { hint: bot.tokenHint })}</p>
      <h3>{t('bot.checklist')}</h3>
      <AsyncView resource={checklist}>
        {({ checklist: c }) => (
          <>
            <p><Badge tone={c.ready ? 'ok' : 'bad'}>{t(c.ready ? 'check.ready' : 'check.notReady')}</Badge> <small class="muted">{t('check.checkedAt', { at: formatDateTime(c.checkedAt, { timeStyle: 'medium' }) })}</small></p>
            <ul class="checklist" data-testid="bot-checklist">
              {c.items.map((item) => (
                <li key={item.id} class={checkTones[item.status]} data-check={item.id} data-status={item.status}>
                  <span aria-hidden="true">{checkMarks[item.status]}</span>
                  <span>
                    <strong>{t(`check.${item.id}`)}</strong> <Badge tone={checkTones[item.status]}>{t(`check.status.${item.status}`)}</Badge>
                    <small class="block">{item.detail}</small>
                    {item.groups && item.groups.length > 0 && (
                      <ul class="small">
                        {item.groups.map((g) => <li key={g.groupId}>{checkMarks[g.status]} {g.title}: {g.detail}</li>)}
                      </ul>
                    )}
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
      </AsyncView>
      <div class="row">
        <button type="button" onClick={() => checklist.reload()}>{t('bot.recheck')}</button>
        {canEdit && <ConfirmButton label={t('bot.disconnect')} question={t('bot.disconnectQuestion', { name: bot.username })} onConfirm={() => void disconnect.submit()} busy={disconnect.busy} />}
      </div>
      <FormError submission={disconnect} />
    </Section>
  );
}
