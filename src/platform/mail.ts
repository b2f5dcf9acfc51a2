import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface Email {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends e-mail. SMTP in production; outside it, each message becomes a file to read. */
export interface Mailer {
  send(email: Email): Promise<void>;
}

/** SMTP through nodemailer (pooled connections, TLS as the URL says). */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;

  constructor(url: string, readonly from: string) {
    this.#transport = nodemailer.createTransport(url);
  }

  async send(email: Email) {
    await this.#transport.sendMail({ from: this.from, ...email });
  }
}

/**
 * Development mailer: nodemailer renders the real RFC 822 message (same path as SMTP up to
 * the wire) and it is written to `<dir>/<time>-<to>.eml`, so a reset link can be clicked.
 */
export class FileMailer implements Mailer {
  readonly #transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(readonly dir: string, readonly from: string) {}

  async send(email: Email) {
    const info = await this.#transport.sendMail({ from: this.from, ...email });
    await mkdir(this.dir, { recursive: true });
    const safeTo = email.to.replace(/[^a-zA-Z0-9@._-]/g, '_');
    await writeFile(path.join(this.dir, `${Date.now()}-${safeTo}.eml`), info.message as Buffer);
  }
}

export function createMailer(config: { SMTP_URL?: string; MAIL_FROM: string; DATA_DIR: string }): Mailer {
  return config.SMTP_URL
    ? new SmtpMailer(config.SMTP_URL, config.MAIL_FROM)
    : new FileMailer(path.resolve(config.DATA_DIR, 'mail'), config.MAIL_FROM);
}
