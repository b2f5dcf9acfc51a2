import { useEffect, useRef, useState } from 'preact/hooks';
import { useLiveEvents, type LiveState } from '../api/live-events';
import type { Counters, DashboardStats, LiveEvent, Usage } from '../api/types';
import { useResource } from '../api/use-resource';
import { ActivityList } from '../components/activity-list';
import { AsyncView } from '../components/async';
import { BarChart } from '../components/bar-chart';
import { BotStatusCard } from '../components/bot-status';
import { Page, Section } from '../components/page';
import { UsageMeter } from '../components/usage-meter';
import { formatNumber, t } from '../i18n';

/** Waits this long after a live event before re-reading the numbers, so a burst costs one request. */
const liveRefreshDelay = 600;
const headline: Array<keyof Counters> = ['messagesIn', 'messagesOut', 'activeUsers', 'newUsers', 'joins', 'deliveriesFailed'];

/** Numbers, bot health, the day's quota and what just happened — refreshed live from /api/events. */
export function Dashboard() {
  const stats = useResource<DashboardStats>('api/dashboard/stats');
  const usage = useResource<{ usage: Usage }>('api/usage');
  const [live, setLive] = useState<LiveEvent[]>([]);
  const refresh = useRef<ReturnType<typeof setTimeout>>(undefined);

  const state = useLiveEvents((event) => {
    setLive((events) => [event, ...events].slice(0, 20));
    clearTimeout(refresh.current);
    refresh.current = setTimeout(() => { stats.reload(true); usage.reload(true); }, liveRefreshDelay);
  });
  useEffect(() => () => clearTimeout(refresh.current), []);
  // Events are not replayed: once the stream is (re)connected, fetch what may have been missed.
  useEffect(() => { if (state === 'live') { stats.reload(true); usage.reload(true); } }, [state]);
  // Messages are in the refreshed history now; other live events (joins, leaves…) have no history rows and stay.
  useEffect(() => setLive((events) => events.filter((e) => e.type !== 'message_in' && e.type !== 'message_out')), [stats.data]);

  return (
    <Page title={t('dashboard.title')} actions={<LiveBadge state={state} />}>
      <Section title={t('dashboard.usage')}>
        <AsyncView resource={usage}>{(u) => <UsageMeter usage={u.usage} />}</AsyncView>
      </Section>
      <AsyncView resource={stats}>
        {(s) => (
          <>
            <Section title={t('dashboard.bot')}>
              {s.bots.length === 0
                ? <p>{t('dashboard.noBot')} <a href="#/settings/bot">{t('dashboard.connectBot')}</a></p>
                : s.bots.map((bot) => <BotStatusCard key={bot.id} bot={bot} />)}
            </Section>
            <h2 class="muted small">{t('dashboard.today')}</h2>
            <dl class="stats" data-testid="stats-today">
              {headline.map((key) => (
                <div key={key} class="stat" data-stat={key}>
                  <dt>{t(`stat.${key}`)}</dt>
                  <dd>{formatNumber(s.today[key])}</dd>
                </div>
              ))}
            </dl>
            <Section title={t('dashboard.range', { days: s.range.days })}>
              <dl class="stats compact">
                {headline.map((key) => <div key={key} class="stat"><dt>{t(`stat.${key}`)}</dt><dd>{formatNumber(s.totals[key])}</dd></div>)}
              </dl>
              {s.series === null
                ? <p class="notice">{t('dashboard.seriesOnPlan')} <a href="#/subscription">{t('groups.seePlans')}</a></p>
                : <>
                  <BarChart title={t('chart.messages')} days={s.series.map((d) => d.day)} series={[
                    { label: t('stat.messagesIn'), values: s.series.map((d) => d.messagesIn), tone: 's1' },
                    { label: t('stat.messagesOut'), values: s.series.map((d) => d.messagesOut), tone: 's2' },
                  ]} />
                  <BarChart title={t('chart.people')} days={s.series.map((d) => d.day)} series={[
                    { label: t('stat.activeUsers'), values: s.series.map((d) => d.activeUsers), tone: 's1' },
                    { label: t('stat.joins'), values: s.series.map((d) => d.joins), tone: 's2' },
                    { label: t('stat.leaves'), values: s.series.map((d) => d.leaves), tone: 's3' },
                  ]} />
                </>}
            </Section>
            <Section title={t('dashboard.activity')}>
              <ActivityList live={live} history={s.recentActivity} />
            </Section>
          </>
        )}
      </AsyncView>
    </Page>
  );
}

function LiveBadge({ state }: { state: LiveState }) {
  return (
    <span class={`live ${state}`} role="status" data-testid="live-state">
      <span class="dot" aria-hidden="true" />{t(`live.${state}`)}
    </span>
  );
}
