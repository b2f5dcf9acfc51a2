import { render } from 'preact';
import { App } from './app';
import { detectLanguage, setLanguage } from './i18n';
import { clearLaunchFragment } from './router';
import { loadTelegramSdk, startTelegram, telegramLanguage } from './telegram';
import './styles.css';

void loadTelegramSdk().then(() => {
  startTelegram();
  clearLaunchFragment();
  setLanguage(detectLanguage(telegramLanguage()));
  render(<App />, document.getElementById('app')!);
});
