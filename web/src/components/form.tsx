import type { ComponentChildren, InputHTMLAttributes, Ref, TextareaHTMLAttributes } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';
import { ApiError, type FieldProblem } from '../api/client';
import { hasText, t } from '../i18n';
import { haptic } from '../telegram';
import { ErrorText } from './error-text';

/** The API names a field by its path (`settings.quietHours.start`, `events.0`); a form control by its name. */
function fieldMatches(path: string, name: string): boolean {
  return path === name || path.startsWith(`${name}.`) || path.endsWith(`.${name}`);
}

/**
 * A field's problem in the person's language: from the dictionaries when the API gave a code
 * they know (`problem.<code>`, and for a weak password zxcvbn's warning), else the API's words.
 */
export function fieldMessage(problem: FieldProblem): string {
  const key = `problem.${problem.code}`;
  if (!problem.code || !hasText(key)) return problem.message;
  const params = problem.params ?? {};
  const warning = `password.warning.${params.warning}`;
  return [t(key, params), params.warning && hasText(warning) ? t(warning) : ''].filter(Boolean).join(' ');
}

export interface Submission {
  busy: boolean;
  error: ApiError | undefined;
  /** The API's message for one field (by its name in the request), if it named that field. */
  fieldError(name: string): string | undefined;
  submit(event?: Event): Promise<void>;
}

/**
 * Runs a form's action: busy while it runs, haptic success/error, and the API's error kept
 * so fields can show their own problems and the form the rest.
 */
export function useSubmit<T>(action: () => Promise<T>, onDone?: (result: T) => void): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  return {
    busy,
    error,
    fieldError: (name) => {
      const problem = error?.fields.find((f) => fieldMatches(f.field, name));
      return problem && fieldMessage(problem);
    },
    async submit(event) {
      event?.preventDefault();
      if (busy) return;
      setBusy(true);
      setError(undefined);
      try {
        const result = await action();
        haptic.success();
        setBusy(false);
        onDone?.(result);
      } catch (caught) {
        haptic.error();
        setBusy(false);
        setError(caught instanceof ApiError ? caught : new ApiError('internal', String(caught)));
      }
    },
  };
}

/** The form-level error: shown unless every problem already sits next to its field. */
export function FormError({ submission, fields = [] }: { submission: Submission; fields?: string[] }) {
  const error = submission.error;
  if (!error) return null;
  const unshown = error.fields.filter((f) => !fields.some((name) => fieldMatches(f.field, name)));
  if (error.fields.length > 0 && unshown.length === 0) return <p class="error" role="alert">{t('form.fixFields')}</p>;
  return <ErrorText error={unshown.length === error.fields.length ? error : new ApiError(error.code, error.message, error.status, unshown, error.details, error.requestId)} />;
}

/**
 * A field's error while its value is still the one the API refused: once the person changes
 * the field, the old complaint no longer describes it and goes (the next save judges anew).
 * Each save passes through a render without errors, which forgets the refused value.
 */
function useErrorUntilChanged(error: string | undefined, value: unknown): string | undefined {
  const refused = useRef<{ value: unknown } | undefined>(undefined);
  if (error === undefined) {
    refused.current = undefined;
    return undefined;
  }
  refused.current ??= { value };
  return Object.is(refused.current.value, value) ? error : undefined;
}

interface FieldShell {
  label: string;
  error?: string;
  hint?: ComponentChildren;
}

function Shell({ id, label, error, hint, children }: FieldShell & { id: string; children: ComponentChildren }) {
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {children}
      {hint && <small id={`${id}-hint`} class="hint">{hint}</small>}
      {error && <small id={`${id}-error`} class="field-error" role="alert">{error}</small>}
    </div>
  );
}

function described(id: string, { error, hint }: FieldShell): Record<string, string | boolean | undefined> {
  const ids = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return { 'aria-describedby': ids || undefined, 'aria-invalid': error ? true : undefined };
}

/** The input attributes the screens use; the rest of an input's wiring (id, labels, errors) is the field's. */
type InputProps = FieldShell & Pick<InputHTMLAttributes<HTMLInputElement>,
  'name' | 'autocomplete' | 'autoCapitalize' | 'required' | 'placeholder' | 'maxLength' | 'min' | 'inputMode' | 'spellcheck'> & {
  type?: 'text' | 'email' | 'password' | 'number' | 'time' | 'date';
  value: string;
  onValue(value: string): void;
};

export function TextField({ label, error: refusal, hint, value, onValue, type = 'text', ...rest }: InputProps) {
  const id = useId();
  const error = useErrorUntilChanged(refusal, value);
  return (
    <Shell id={id} label={label} error={error} hint={hint}>
      {/* preact types each input type separately; any of ours takes the same attributes as text */}
      <input id={id} type={type as 'text'} value={value} onInput={(e) => onValue(e.currentTarget.value)} {...described(id, { label, error, hint })} {...rest} />
    </Shell>
  );
}

type AreaProps = FieldShell & Pick<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'required' | 'rows' | 'maxLength'> & {
  value: string;
  onValue(value: string): void;
  inputRef?: Ref<HTMLTextAreaElement>;
};

export function TextArea({ label, error: refusal, hint, value, onValue, inputRef, ...rest }: AreaProps) {
  const id = useId();
  const error = useErrorUntilChanged(refusal, value);
  return (
    <Shell id={id} label={label} error={error} hint={hint}>
      <textarea id={id} ref={inputRef} value={value} onInput={(e) => onValue(e.currentTarget.value)} {...described(id, { label, error, hint })} {...rest} />
    </Shell>
  );
}

export function SelectField<V extends string>({ label, error: refusal, hint, value, onValue, options, disabled }: FieldShell & {
  value: V;
  onValue(value: V): void;
  options: Array<{ value: V; label: string }>;
  disabled?: boolean;
}) {
  const id = useId();
  const error = useErrorUntilChanged(refusal, value);
  return (
    <Shell id={id} label={label} error={error} hint={hint}>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onValue(e.currentTarget.value as V)} {...described(id, { label, error, hint })}>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </Shell>
  );
}

/** An on/off switch: a real checkbox, so keyboards and screen readers know it. */
export function Toggle({ label, checked, onChange, hint, error: refusal, disabled }: FieldShell & { checked: boolean; onChange(checked: boolean): void; disabled?: boolean }) {
  const id = useId();
  const error = useErrorUntilChanged(refusal, checked);
  return (
    <div class={error ? 'field toggle invalid' : 'field toggle'}>
      <input id={id} type="checkbox" role="switch" checked={checked} disabled={disabled} onChange={(e) => onChange(e.currentTarget.checked)} {...described(id, { label, error, hint })} />
      <label for={id}>{label}</label>
      {hint && <small id={`${id}-hint`} class="hint">{hint}</small>}
      {error && <small id={`${id}-error`} class="field-error" role="alert">{error}</small>}
    </div>
  );
}

export function SubmitButton({ submission, label, busyLabel }: { submission: Submission; label: string; busyLabel?: string }) {
  return (
    <button type="submit" class="primary" disabled={submission.busy} aria-busy={submission.busy}>
      {submission.busy ? (busyLabel ?? t('common.saving')) : label}
    </button>
  );
}
