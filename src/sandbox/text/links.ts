/**
 * Link checks shared by the HTML and Markdown parsers: Telegram drops text links whose URL it
 * cannot use and turns `tg://user?id=` links into mentions of that user.
 */

const allowedProtocols = new Set(['http:', 'https:', 'tg:', 'ton:', 'mailto:']);

/** The user id of a `tg://user?id=<id>` link, if the URL is one. */
export function linkUserId(url: string): number | undefined {
  const match = /^tg:(?:\/\/)?user\?id=(\d{1,20})$/i.exec(url.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The URL as Telegram stores it in a text_link entity, or undefined when it would drop the link. */
export function checkedLink(url: string): string | undefined {
  const trimmed = url.trim();
  if (trimmed === '') return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `http://${trimmed}`;
  try {
    const parsed = new URL(withScheme);
    if (!allowedProtocols.has(parsed.protocol)) return undefined;
    if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && !parsed.hostname.includes('.')) {
      return undefined;
    }
    return parsed.href;
  } catch {
    return undefined;
  }
}
