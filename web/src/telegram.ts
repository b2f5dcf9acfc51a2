/**
 * A typed, tiny face of the Telegram WebApp SDK. Inside Telegram `window.Telegram.WebApp`
 * exists (see {@link loadTelegramSdk}); in a normal browser every call here is a no-op, so
 * the screens never need to ask where they run.
 */

interface InsetSet { top: number; bottom: number; left: number; right: number }

interface BottomButton {
  setText(text: string): void;
  show(): void;
  hide(): void;
  enable(): void;
  disable(): void;
  showProgress(leaveActive?: boolean): void;
  hideProgress(): void;
  onClick(callback: () => void): void;
  offClick(callback: () => void): void;
}

export interface WebApp {
  initData: string;
  initDataUnsafe: { user?: { id: number; first_name: string; language_code?: string }; start_param?: string };
  colorScheme: 'light' | 'dark';
  themeParams: Record<string, string | undefined>;
  platform: string;
  viewportStableHeight?: number;
  safeAreaInset?: InsetSet;
  contentSafeAreaInset?: InsetSet;
  ready(): void;
  expand(): void;
  onEvent(event: string, callback: () => void): void;
  offEvent(event: string, callback: () => void): void;
  openLink(url: string): void;
  openTelegramLink(url: string): void;
  BackButton: { show(): void; hide(): void; onClick(callback: () => void): void; offClick(callback: () => void): void };
  MainButton: BottomButton;
  HapticFeedback: {
    impactOccurred(style: 'light' | 'medium' | 'heavy' | 'rigid' | 'soft'): void;
    notificationOccurred(type: 'error' | 'success' | 'warning'): void;
    selectionChanged(): void;
  };
}

declare global {
  interface Window { Telegram?: { WebApp?: WebApp } }
}

/** Where the official SDK is fetched from; a build may point this at a self-hosted copy. */
const sdkUrl = import.meta.env.VITE_TELEGRAM_SDK_URL || 'https://telegram.org/js/telegram-web-app.js';

/**
 * Telegram opens a Mini App with launch parameters in the URL fragment (`#tgWebAppData=…`).
 * Only then is the official SDK loaded: a normal browser (and the offline tests, which stub
 * `window.Telegram.WebApp` themselves) never fetches it.
 */
export async function loadTelegramSdk(): Promise<void> {
  if (window.Telegram?.WebApp || !/tgWebApp(Data|Platform|Version)=/.test(location.hash + location.search)) return;
  await new Promise<void>((resolve) => {
    const script = document.createElement('script');
    script.src = sdkUrl;
    script.onload = script.onerror = () => resolve();
    setTimeout(resolve, 4000);
    document.head.append(script);
  });
}

/** The SDK when the app runs inside Telegram with login data; undefined in a browser. */
export function webApp(): WebApp | undefined {
  const app = window.Telegram?.WebApp;
  return app && app.initData ? app : undefined;
}

export const insideTelegram = (): boolean => webApp() !== undefined;

/** Telegram's language for this user (`language_code`), if inside Telegram. */
export function telegramLanguage(): string | undefined {
  return webApp()?.initDataUnsafe.user?.language_code;
}

/** Colours and insets: Telegram's theme → the app's CSS variables; the browser's scheme otherwise. */
function applyTheme(app: WebApp): void {
  const root = document.documentElement;
  root.dataset.theme = app.colorScheme;
  for (const [key, value] of Object.entries(app.themeParams)) {
    if (value) root.style.setProperty(`--tg-theme-${key.replace(/_/g, '-')}`, value);
  }
}

function applyViewport(app: WebApp): void {
  const root = document.documentElement;
  if (app.viewportStableHeight) root.style.setProperty('--app-height', `${app.viewportStableHeight}px`);
  const safe = app.safeAreaInset;
  const content = app.contentSafeAreaInset;
  for (const side of ['top', 'bottom', 'left', 'right'] as const) {
    root.style.setProperty(`--inset-${side}`, `${(safe?.[side] ?? 0) + (content?.[side] ?? 0)}px`);
  }
}

/** Tells Telegram the app is ready, takes the full height, and follows theme and viewport changes. */
export function startTelegram(): void {
  const app = webApp();
  if (!app) return;
  document.documentElement.dataset.telegram = app.platform || 'unknown';
  applyTheme(app);
  applyViewport(app);
  app.onEvent('themeChanged', () => applyTheme(app));
  app.onEvent('viewportChanged', () => applyViewport(app));
  app.onEvent('safeAreaChanged', () => applyViewport(app));
  app.onEvent('contentSafeAreaChanged', () => applyViewport(app));
  app.ready();
  app.expand();
}

/** Haptic feedback on actions: success/error after a save, a light tap on selection. */
export const haptic = {
  success: () => webApp()?.HapticFeedback.notificationOccurred('success'),
  error: () => webApp()?.HapticFeedback.notificationOccurred('error'),
  warning: () => webApp()?.HapticFeedback.notificationOccurred('warning'),
  tap: () => webApp()?.HapticFeedback.impactOccurred('light'),
  select: () => webApp()?.HapticFeedback.selectionChanged(),
};

/** Opens a link the way Telegram wants (t.me links stay in Telegram); a new tab in a browser. */
export function openLink(url: string): void {
  const app = webApp();
  if (!app) {
    window.open(url, '_blank', 'noopener');
  } else if (url.startsWith('https://t.me/')) {
    app.openTelegramLink(url);
  } else {
    app.openLink(url);
  }
}
