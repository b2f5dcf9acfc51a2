import { useEffect, useRef } from 'preact/hooks';
import { haptic, webApp } from './telegram';

/** Shows Telegram's BackButton while the screen is mounted; a tap runs `onBack`. */
export function useBackButton(onBack: (() => void) | undefined): void {
  const latest = useRef(onBack);
  latest.current = onBack;
  const active = onBack !== undefined;
  useEffect(() => {
    const back = webApp()?.BackButton;
    if (!back || !active) return;
    const click = () => { haptic.tap(); latest.current?.(); };
    back.onClick(click);
    back.show();
    return () => { back.offClick(click); back.hide(); };
  }, [active]);
}

/**
 * Telegram's MainButton as the screen's primary action (Save, Send). The page keeps its own
 * button too, so keyboards and browsers work the same; inside Telegram both do the same thing.
 */
export function useMainButton(text: string, onClick: () => void, state: { disabled?: boolean; busy?: boolean } = {}): void {
  const latest = useRef(onClick);
  latest.current = onClick;
  useEffect(() => {
    const main = webApp()?.MainButton;
    if (!main) return;
    const click = () => latest.current();
    main.onClick(click);
    main.show();
    return () => { main.offClick(click); main.hide(); };
  }, []);
  useEffect(() => {
    const main = webApp()?.MainButton;
    if (!main) return;
    main.setText(text);
    if (state.disabled) main.disable(); else main.enable();
    if (state.busy) main.showProgress(false); else main.hideProgress();
  }, [text, state.disabled, state.busy]);
}
