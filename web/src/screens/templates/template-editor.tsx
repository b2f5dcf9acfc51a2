import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api/client';
import type { Preview, Template, TemplateKind, TemplateVariable } from '../../api/types';
import { useResource } from '../../api/use-resource';
import { AsyncView, Loading } from '../../components/async';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorText } from '../../components/error-text';
import { FormError, SelectField, SubmitButton, TextArea, TextField, useSubmit } from '../../components/form';
import { Page, Section } from '../../components/page';
import { TelegramMessage } from '../../components/telegram-message';
import { hasText, t } from '../../i18n';
import { navigate } from '../../router';
import { roleAllows, useSession } from '../../session';
import { useMainButton } from '../../telegram-buttons';

const previewDelay = 350;
const kinds: TemplateKind[] = ['message', 'invite', 'reply'];

/** Create or edit a template; `id` undefined creates one of `kind`. */
export function TemplateEditor({ id, kind }: { id: string | undefined; kind: string | null }) {
  const existing = useResource<{ template: Template }>(id ? `api/templates/${encodeURIComponent(id)}` : null);
  const title = id ? (existing.data?.template.name ?? t('templates.edit')) : t('templates.create');
  const initialKind = kinds.find((k) => k === kind) ?? 'message';
  return (
    <Page title={title} back="templates">
      {id
        ? <AsyncView resource={existing}>{({ template }) => <Editor template={template} kind={template.kind} />}</AsyncView>
        : <Editor kind={initialKind} />}
    </Page>
  );
}

/** The server renders the draft with sample data as the user types (debounced), so what is shown is what Telegram gets. */
function useServerPreview(content: string) {
  const [state, setState] = useState<{ preview?: Preview; error?: ApiError; busy: boolean }>({ busy: false });
  const request = useRef(0);
  useEffect(() => {
    if (!content.trim()) { setState({ busy: false }); return; }
    const mine = ++request.current;
    setState((s) => ({ ...s, busy: true }));
    const timer = setTimeout(() => {
      api<Preview>('POST', 'api/templates/preview', { content }).then(
        (preview) => { if (mine === request.current) setState({ preview, busy: false }); },
        (error: ApiError) => { if (mine === request.current) setState({ error, busy: false }); },
      );
    }, previewDelay);
    return () => clearTimeout(timer);
  }, [content]);
  return state;
}

function Editor({ template, kind: initialKind }: { template?: Template; kind: TemplateKind }) {
  const { me } = useSession();
  const canEdit = roleAllows(me.member.role, 'admin');
  const [kind, setKind] = useState<TemplateKind>(initialKind);
  const [name, setName] = useState(template?.name ?? '');
  const [content, setContent] = useState(template?.content ?? '');
  const { area, insert } = useVariableInsertion(content, setContent);
  const preview = useServerPreview(content);

  const save = useSubmit(
    () => template
      ? api<Template>('PATCH', `api/templates/${template.id}`, { name, content })
      : api<Template>('POST', 'api/templates', { kind, name, content }),
    () => navigate('templates'),
  );
  const remove = useSubmit(() => api('DELETE', `api/templates/${template?.id}`), () => navigate('templates'));
  useMainButton(t('common.save'), () => void save.submit(), { busy: save.busy, disabled: !canEdit });

  return (
    <>
      <form onSubmit={save.submit} noValidate>
        <fieldset disabled={!canEdit}>
          {!template && <SelectField<TemplateKind> label={t('templates.kindLabel')} value={kind} onValue={setKind} error={save.fieldError('kind')}
            options={kinds.map((k) => ({ value: k, label: t(`templates.kind.${k}`) }))} hint={t(`templates.kindHint.${kind}`)} />}
          <TextField label={t('templates.name')} name="name" required maxLength={80} value={name} onValue={setName} error={save.fieldError('name')} />
          <TextArea label={t('templates.content')} name="content" required rows={6} inputRef={area} value={content} onValue={setContent}
            error={save.fieldError('content')} hint={t('templates.contentHint')} />
          <FormError submission={save} fields={['kind', 'name', 'content']} />
          <SubmitButton submission={save} label={t('common.save')} />
        </fieldset>
      </form>
      <Section title={t('templates.preview')}>
        <div class="preview" aria-live="polite" data-testid="template-preview">
          {!content.trim() ? <p class="muted">{t('templates.previewEmpty')}</p>
            : preview.error ? <ErrorText error={preview.error} />
            : preview.preview ? <>
              <TelegramMessage class="bubble bot" text={preview.preview.rendered} html={preview.preview.parseMode === 'HTML'} />
              {!preview.preview.allowedOnPlan && <p class="warn-text small">{t('templates.advancedOnPlan', { plan: preview.preview.requiredPlan ?? '' })} <a href="#/subscription">{t('groups.seePlans')}</a></p>}
            </>
            : <Loading label={t('templates.previewing')} />}
        </div>
        <p class="muted small">{t('templates.previewSample')}</p>
      </Section>
      <VariablesHelp onInsert={canEdit ? insert : undefined} />
      {template && canEdit && (
        <Section title={t('templates.delete')}>
          <ConfirmButton label={t('templates.delete')} question={t('templates.deleteQuestion', { name: template.name })} onConfirm={() => void remove.submit()} busy={remove.busy} />
          <FormError submission={remove} />
        </Section>
      )}
    </>
  );
}

/** A text area's ref and how to put `{variable}` at its cursor (replacing a selection), keeping the cursor after it. */
export function useVariableInsertion(text: string, setText: (text: string) => void) {
  const area = useRef<HTMLTextAreaElement>(null);
  const insert = (variable: string) => {
    const box = area.current;
    const token = `{${variable}}`;
    const at = box?.selectionStart ?? text.length;
    setText(text.slice(0, at) + token + text.slice(box?.selectionEnd ?? at));
    requestAnimationFrame(() => { box?.focus(); box?.setSelectionRange(at + token.length, at + token.length); });
  };
  return { area, insert };
}

/**
 * The variables a template may use (or, `scope: 'group_post'`, those a schedule or broadcast
 * fills per group), with the server's descriptions; a tap inserts one.
 */
export function VariablesHelp({ onInsert, scope = 'template' }: { onInsert?: (name: string) => void; scope?: 'template' | 'group_post' }) {
  const variables = useResource<{ variables: TemplateVariable[] }>(`api/templates/variables?scope=${scope}`);
  return (
    <Section title={t('templates.variables')}>
      <p class="muted small">{t('templates.variablesIntro')}</p>
      <AsyncView resource={variables}>
        {(d) => (
          <dl class="variables">
            {d.variables.map((v) => (
              <div key={v.name}>
                <dt>{onInsert ? <button type="button" class="chip" onClick={() => onInsert(v.name)} aria-label={t('templates.insert', { name: v.name })}>{`{${v.name}}`}</button> : <code>{`{${v.name}}`}</code>}</dt>
                <dd>{hasText(`var.${v.name}`) ? t(`var.${v.name}` as 'var.first_name') : v.description} <span class="muted">— {t('templates.sample', { sample: v.sample })}</span></dd>
              </div>
            ))}
          </dl>
        )}
      </AsyncView>
    </Section>
  );
}
