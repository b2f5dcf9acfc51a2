import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { haptic } from '../telegram';

/** A destructive action in two steps, inline (no pop-up): the button, then "really?" with the consequence. */
export function ConfirmButton({ label, question, onConfirm, busy }: { label: string; question: string; onConfirm(): void; busy?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking) return <button type="button" class="danger" disabled={busy} onClick={() => { haptic.warning(); setAsking(true); }}>{label}</button>;
  return (
    <div class="confirm" role="group" aria-label={question}>
      <p>{question}</p>
      <button type="button" class="danger" autoFocus disabled={busy} onClick={() => { setAsking(false); onConfirm(); }}>{t('common.confirm', { action: label })}</button>
      <button type="button" onClick={() => setAsking(false)}>{t('common.cancel')}</button>
    </div>
  );
}
