import { useEffect, useRef } from 'preact/hooks';

/** The tags Telegram's HTML parse mode knows, and what each becomes on screen. */
const allowed: Record<string, string> = {
  b: 'b', strong: 'b', i: 'i', em: 'i', u: 'u', ins: 'u', s: 's', strike: 's', del: 's',
  code: 'code', pre: 'pre', blockquote: 'blockquote', a: 'a', 'tg-spoiler': 'span', span: 'span', br: 'br',
};

/** Rebuilds Telegram HTML from allowed tags and plain text only: nothing else of it reaches the page. */
function rebuild(source: Node, target: Node): void {
  for (const node of Array.from(source.childNodes)) {
    if (node.nodeType === Node.TEXT_NODE) {
      target.appendChild(document.createTextNode(node.textContent ?? ''));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const element = node as Element;
      const tag = allowed[element.tagName.toLowerCase()];
      if (!tag) { rebuild(element, target); continue; }
      const copy = document.createElement(tag);
      if (tag === 'a') {
        const href = element.getAttribute('href') ?? '';
        if (/^(https?:|tg:)/i.test(href)) copy.setAttribute('href', href);
        copy.setAttribute('rel', 'noopener noreferrer');
        copy.setAttribute('target', '_blank');
      }
      if (element.tagName.toLowerCase() === 'tg-spoiler' || element.getAttribute('class') === 'tg-spoiler') copy.className = 'spoiler';
      rebuild(element, copy);
      target.appendChild(copy);
    }
  }
}

/** What Telegram shows of a Telegram HTML text, as plain text: tags gone, entities decoded (parsed inert, never run). */
export function telegramText(html: string): string {
  return new DOMParser().parseFromString(html, 'text/html').body.textContent ?? '';
}

/** A message as Telegram would show it: HTML parse mode rendered safely, plain text as text. */
export function TelegramMessage({ text, html, class: className }: { text: string; html: boolean; class?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    box.replaceChildren();
    if (!html) { box.textContent = text; return; }
    const parsed = new DOMParser().parseFromString(`<body>${text.replace(/\n/g, '<br>')}</body>`, 'text/html');
    rebuild(parsed.body, box);
  }, [text, html]);
  return <div ref={ref} class={`tg-message ${className ?? ''}`} />;
}
