import type { Sandbox } from '../sandbox/index.js';
import type { DemoCast } from './seed.js';
import { Second } from '../platform/time.js';

const phrases = [
  'Merhaba herkese 👋', 'Bugün toplantı var mı?', 'Fiyat bilgisi alabilir miyim?', 'Teşekkürler!', 'Harika bir gün 🌞',
  'Yeni sürüm ne zaman çıkıyor?', 'What is the price for Premium?', 'Kargo ne zaman gelir?', 'Çok güzel olmuş 👏', 'مرحبا بالجميع',
];

/**
 * A gentle simulated conversation for demo mode: every few seconds someone writes in a
 * group, now and then a person joins, asks to join, or starts the bot privately, so the
 * dashboard and history show life from the first minute.
 */
export function startDemoConversation(sandbox: Sandbox, demoBotId: number, cast: DemoCast, everyMs = 4 * Second): () => void {
  let round = 0;
  const timer = setInterval(() => {
    round++;
    try {
      const chat = cast.groups[round % cast.groups.length];
      if (!chat) return;
      const members = chat.memberIds;
      const roll = round % 20;
      if (roll === 7) {
        const newcomer = sandbox.createUser({ firstName: `Misafir ${round}`, languageCode: 'tr' });
        sandbox.userJoins(newcomer.id, chat.id);
        members.push(newcomer.id);
      } else if (roll === 13) {
        const asker = sandbox.createUser({ firstName: `Aday ${round}`, languageCode: 'tr' });
        sandbox.userRequestsToJoin(asker.id, chat.id, { bio: 'Merhaba, katılmak istiyorum' });
      } else if (roll === 17 && members[0]) {
        sandbox.userStartsBot(members[0], demoBotId);
      } else if (members.length > 0) {
        const speaker = members[round % members.length]!;
        sandbox.userSendsMessage(speaker, chat.id, phrases[round % phrases.length]!);
      }
    } catch {
      // The demo world is best effort: a refused action (e.g. a user who left) is just skipped.
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
