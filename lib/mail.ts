import nodemailer from 'nodemailer';

// Outgoing mail over SMTP (nodemailer). SMTP_URL unset: mails are only recorded in mail_outbox,
// which is what a development machine without a mail server gets.

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Whether mail really leaves (false: outbox only). */
  readonly sends: boolean;
  send(mail: Mail): Promise<void>;
}

export function createMailer(smtpUrl: string | undefined, from: string): Mailer {
  if (!smtpUrl) return { sends: false, send: async () => {} };
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    sends: true,
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
  };
}
