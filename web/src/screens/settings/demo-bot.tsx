import { api } from '../../api/client';
import type { Bot } from '../../api/types';
import type { DemoGroup, DemoGroups } from '../../../../src/demo/contract.js';
import { useResource } from '../../api/use-resource';
import { FormError, useSubmit } from '../../components/form';
import { Section } from '../../components/page';
import { t } from '../../i18n';

/**
 * Demo mode only (Telegram is the built-in sandbox): a test bot in one tap instead of
 * @BotFather, and the sandbox's groups with their simulated people to add it to.
 */
export function DemoBot({ bots, canEdit, onChanged }: { bots: Bot[]; canEdit: boolean; onChanged(): void }) {
  const demo = useResource<DemoGroups>('api/demo/groups');
  const create = useSubmit(() => api<{ bot: Bot }>('POST', 'api/demo/test-bot'), () => { onChanged(); demo.reload(true); });
  const data = demo.data;
  if (!data?.available || !canEdit) return null;
  return (
    <Section title={t('demo.title')}>
      <p class="small">{t('demo.intro')}</p>
      <button type="button" class="primary" data-testid="create-test-bot" disabled={create.busy} onClick={() => void create.submit()}>
        {create.busy ? t('demo.creating') : t('demo.createBot')}
      </button>
      <FormError submission={create} />
      {bots.length > 0 && (
        <>
          <h3>{t('demo.groupsTitle')}</h3>
          <ul class="demo-groups" data-testid="demo-groups">
            {data.groups.map((group) => <DemoGroupRow key={group.chatId} group={group} bots={bots} onAdded={() => demo.reload(true)} />)}
          </ul>
        </>
      )}
    </Section>
  );
}

function DemoGroupRow({ group, bots, onAdded }: { group: DemoGroup; bots: Bot[]; onAdded(): void }) {
  const missing = bots.filter((bot) => bot.status !== 'disconnected' && !group.botIds.includes(bot.id));
  return (
    <li data-chat={group.chatId}>
      <strong>{group.title}</strong> <small class="muted">{t('demo.people', { names: group.people.slice(0, 5).join(', ') })}</small>
      <div class="row">
        {missing.map((bot) => <AddBotButton key={bot.id} chatId={group.chatId} bot={bot} onAdded={onAdded} />)}
        {missing.length === 0 && <small>{t('demo.added')}</small>}
      </div>
    </li>
  );
}

function AddBotButton({ chatId, bot, onAdded }: { chatId: number; bot: Bot; onAdded(): void }) {
  const add = useSubmit(() => api('POST', `api/demo/groups/${chatId}/bots`, { bot_id: bot.id }), onAdded);
  return (
    <>
      <button type="button" disabled={add.busy} onClick={() => void add.submit()}>{t('demo.addBot', { name: bot.username })}</button>
      <FormError submission={add} />
    </>
  );
}
