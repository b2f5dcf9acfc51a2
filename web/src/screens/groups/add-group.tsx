import type { Bot } from '../../api/types';
import { useLiveEvents } from '../../api/live-events';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { Page, Section } from '../../components/page';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { haptic, openLink } from '../../telegram';

/** Telegram's deep link that opens "add to group" for the bot, asking for the admin rights Kovan uses. */
export function addToGroupLink(bot: Bot): string {
  return `https://t.me/${bot.username}?startgroup=kovan&admin=invite_users+delete_messages+restrict_members+pin_messages`;
}

/** How to add the bot to a group; the new group appears by itself when Telegram tells Kovan. */
export function AddGroup() {
  const bots = useResource<{ bots: Bot[] }>('api/bots');
  useLiveEvents((event) => {
    if (event.type === 'group') { haptic.success(); navigate('groups'); }
  });
  return (
    <Page title={t('addGroup.title')} back="groups">
      <AsyncView resource={bots} isEmpty={(d) => d.bots.length === 0}
        empty={<p>{t('addGroup.noBot')} <a href="#/settings/bot">{t('dashboard.connectBot')}</a></p>}>
        {(d) => d.bots.map((bot) => (
          <Section key={bot.id} title={`@${bot.username}`}>
            <ol class="steps">
              <li>{t('addGroup.step1')}</li>
              <li>{t('addGroup.step2')}</li>
              <li>{t('addGroup.step3')}</li>
            </ol>
            {!bot.canReadAllGroupMessages && <p class="notice">{t('addGroup.privacy')}</p>}
            <button type="button" class="primary" onClick={() => openLink(addToGroupLink(bot))}>{t('addGroup.open')}</button>
            <p class="small muted">{t('addGroup.linkText')} <a href={addToGroupLink(bot)} target="_blank" rel="noopener">{addToGroupLink(bot)}</a></p>
            <p class="muted" role="status">{t('addGroup.waiting')}</p>
          </Section>
        ))}
      </AsyncView>
    </Page>
  );
}
