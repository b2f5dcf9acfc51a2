import { useEffect } from 'preact/hooks';
import { navigate, type Route } from '../router';
import { t } from '../i18n';
import { Page } from '../components/page';
import { Dashboard } from './dashboard';
import { AddGroup } from './groups/add-group';
import { GroupList } from './groups/group-list';
import { GroupSettingsScreen } from './groups/group-settings';
import { TemplatesHome } from './templates/templates-home';
import { TemplateEditor } from './templates/template-editor';
import { RuleEditor } from './templates/rule-editor';
import { TryIt } from './templates/try-it';
import { DeliveryHome } from './delivery/delivery-home';
import { ComposeBroadcast } from './delivery/compose';
import { SettingsHome } from './settings/settings-home';
import { BotSettings } from './settings/bot-settings';
import { MessageSettings } from './settings/message-settings';
import { NotificationSettings } from './settings/notification-settings';
import { TeamSettings } from './settings/team';
import { ApiKeys } from './settings/api-keys';
import { Subscription } from './subscription';
import { Operator } from './operator/operator';

/** The signed-in screens by their URL fragment. */
export function Screen({ route }: { route: Route }) {
  const [area = 'dashboard', id] = route.parts;
  switch (area) {
    case 'dashboard': return <Dashboard />;
    case 'groups': return id === 'add' ? <AddGroup /> : id ? <GroupSettingsScreen id={id} /> : <GroupList />;
    case 'templates': return id ? <TemplateEditor id={id === 'new' ? undefined : id} kind={route.query.get('kind')} /> : <TemplatesHome tab={route.query.get('tab')} />;
    case 'rules': return <RuleEditor id={id === 'new' || !id ? undefined : id} />;
    case 'try-it': return <TryIt />;
    case 'delivery': return id === 'new' ? <ComposeBroadcast mode={route.query.get('mode') === 'schedule' ? 'schedule' : 'broadcast'} /> : <DeliveryHome />;
    case 'settings': return settingsScreen(id);
    case 'subscription': return <Subscription />;
    case 'operator': return <Operator />;
    case 'login': case 'register': case 'forgot-password': return <Redirect to="dashboard" />;
    default: return <NotFound />;
  }
}

function settingsScreen(section: string | undefined) {
  switch (section) {
    case 'bot': return <BotSettings />;
    case 'messages': return <MessageSettings />;
    case 'notifications': return <NotificationSettings />;
    case 'team': return <TeamSettings />;
    case 'api-keys': return <ApiKeys />;
    default: return <SettingsHome />;
  }
}

/** A signed-out address after signing in (the login form's own URL) leads to the dashboard. */
function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, true), [to]);
  return null;
}

function NotFound() {
  return <Page title={t('notFound.title')}><p>{t('notFound.body')} <a href="#/dashboard">{t('nav.dashboard')}</a></p></Page>;
}
