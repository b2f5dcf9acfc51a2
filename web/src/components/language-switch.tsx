import { language, languages, setLanguage, t, type Language } from '../i18n';
import { haptic } from '../telegram';

const names: Record<Language, string> = { en: 'English', tr: 'Türkçe' };

/** Switches the UI language on this device (kept for the next visit). */
export function LanguageSwitch({ onChange }: { onChange?: (language: Language) => void }) {
  return (
    <div class="segmented" role="group" aria-label={t('settings.language')}>
      {languages.map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={language() === l} onClick={() => { haptic.select(); setLanguage(l, true); onChange?.(l); }}>
          {names[l]}
        </button>
      ))}
    </div>
  );
}
