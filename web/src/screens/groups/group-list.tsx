import type { Group } from '../../api/types';
import { useEffect } from 'preact/hooks';
import { useLiveEvents } from '../../api/live-events';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { Page } from '../../components/page';
import { Badge } from '../../components/status-badge';
import { formatNumber, t } from '../../i18n';
import { roleAllows, useSession } from '../../session';

/**
 * The bot's groups with members and state; a group over the plan's limit says why it is paused.
 * A group the bot joins or leaves while the list is open appears or changes without a reload.
 */
export function GroupList() {
  const { me } = useSession();
  const groups = useResource<{ groups: Group[] }>('api/groups/list');
  const live = useLiveEvents((event) => { if (event.type === 'group') groups.reload(true); });
  // Fetch again once the stream is (re)connected: a group that arrived before it opened was not announced.
  useEffect(() => { if (live === 'live') groups.reload(true); }, [live]);
  const max = me.plan.maxGroups;
  return (
    <Page title={t('groups.title')} actions={roleAllows(me.member.role, 'admin') && <a class="button primary" href="#/groups/add">{t('groups.add')}</a>}>
      <AsyncView resource={groups} isEmpty={(d) => d.groups.length === 0}
        empty={<><p>{t('groups.empty')}</p><a class="button primary" href="#/groups/add">{t('groups.add')}</a></>}>
        {(d) => (
          <>
            <p class="muted">{max === null ? t('groups.countUnlimited', { count: d.groups.length }) : t('groups.count', { count: d.groups.length, max })}</p>
            <ul class="list" data-testid="group-list">
              {d.groups.map((g) => (
                <li key={g.id}>
                  <a class="list-item" href={`#/groups/${g.id}`}>
                    <span class="grow">
                      <strong>{g.title}</strong>
                      <small class="muted">{g.memberCount === null ? t('groups.membersUnknown') : t('groups.members', { count: formatNumber(g.memberCount) })}</small>
                      {g.pausedReason && <small class="warn-text" data-testid="paused-reason">{t('groups.paused', { reason: g.pausedReason })}</small>}
                    </span>
                    <GroupBadge group={g} />
                  </a>
                </li>
              ))}
            </ul>
          </>
        )}
      </AsyncView>
    </Page>
  );
}

export function GroupBadge({ group }: { group: Group }) {
  if (group.removedAt) return <Badge tone="muted">{t('groups.state.removed')}</Badge>;
  if (group.pausedReason) return <Badge tone="warn">{t('groups.state.paused')}</Badge>;
  if (!group.enabled) return <Badge tone="muted">{t('groups.state.disabled')}</Badge>;
  if (group.botStatus !== 'administrator') return <Badge tone="warn">{t('groups.state.notAdmin')}</Badge>;
  return <Badge tone="ok">{t('groups.state.active')}</Badge>;
}
