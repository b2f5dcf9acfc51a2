import type { Page as ListPage, ReplyRule, Template, TemplateKind } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView } from '../../components/async';
import { Page, Section } from '../../components/page';
import { Badge } from '../../components/status-badge';
import { formatDateTime, t } from '../../i18n';
import { roleAllows, useSession } from '../../session';

const kinds: TemplateKind[] = ['message', 'invite', 'reply'];

/** Templates by kind and the reply rules that use them; the Try-it chat is one tap away. */
export function TemplatesHome({ tab }: { tab: string | null }) {
  const rules = tab === 'rules';
  return (
    <Page title={t('templates.title')} actions={<a class="button" href="#/try-it">{t('tryIt.title')}</a>}>
      <nav class="subtabs" aria-label={t('templates.sections')}>
        <a href="#/templates" aria-current={rules ? undefined : 'page'}>{t('templates.tab')}</a>
        <a href="#/templates?tab=rules" aria-current={rules ? 'page' : undefined}>{t('rules.tab')}</a>
      </nav>
      {rules ? <RuleList /> : <TemplateList />}
    </Page>
  );
}

function TemplateList() {
  const { me } = useSession();
  const templates = useResource<{ templates: Template[] }>('api/templates/list');
  const canEdit = roleAllows(me.member.role, 'admin');
  return (
    <AsyncView resource={templates}>
      {(d) => kinds.map((kind) => {
        const own = d.templates.filter((tpl) => tpl.kind === kind);
        return (
          <Section key={kind} title={t(`templates.kind.${kind}`)}>
            <p class="muted small">{t(`templates.kindHint.${kind}`)}</p>
            {own.length === 0 ? <p class="empty">{t('templates.none')}</p> : (
              <ul class="list" data-testid={`templates-${kind}`}>
                {own.map((tpl) => (
                  <li key={tpl.id}>
                    <a class="list-item" href={`#/templates/${tpl.id}`}>
                      <span class="grow"><strong>{tpl.name}</strong><small class="muted clip">{tpl.content}</small></span>
                      {tpl.advanced && <Badge tone="muted">{t('templates.advanced')}</Badge>}
                      <small class="muted">{formatDateTime(tpl.updatedAt, { dateStyle: 'short' })}</small>
                    </a>
                  </li>
                ))}
              </ul>
            )}
            {canEdit && <a class="button" href={`#/templates/new?kind=${kind}`}>{t(`templates.new.${kind}`)}</a>}
          </Section>
        );
      })}
    </AsyncView>
  );
}

function RuleList() {
  const { me } = useSession();
  const rules = useResource<ListPage<ReplyRule>>('api/reply-rules?limit=100');
  const canEdit = roleAllows(me.member.role, 'admin');
  return (
    <>
      <p class="muted">{t('rules.intro')}</p>
      <AsyncView resource={rules} isEmpty={(d) => d.items.length === 0} empty={<p>{t('rules.empty')}</p>}>
        {(d) => (
          <ul class="list" data-testid="rule-list">
            {d.items.map((rule) => (
              <li key={rule.id}>
                <a class="list-item" href={`#/rules/${rule.id}`}>
                  <span class="grow">
                    <strong>{rule.name}</strong>
                    <small class="muted">{t(`rules.trigger.${rule.triggerType}`)}: <code>{rule.trigger}</code> · {t(`rules.scope.${rule.scope}`)}</small>
                  </span>
                  <Badge tone={rule.enabled ? 'ok' : 'muted'}>{t(rule.enabled ? 'rules.on' : 'rules.off')}</Badge>
                </a>
              </li>
            ))}
          </ul>
        )}
      </AsyncView>
      {canEdit && <a class="button primary" href="#/rules/new">{t('rules.new')}</a>}
    </>
  );
}
