import { plainLines, safeText } from './util/inert.js';

/**
 * The one way the action and the CLI talk to a person. Two implementations: the runner's
 * (action/logger.ts: the toolkit's groups, annotations and masks) and the terminal's
 * (cli/terminal-logger.ts: plain text on stderr, secrets redacted, never a workflow command). Entry
 * points choose one with `setLogger`; nothing else writes to the log.
 */
export interface Logger {
  info(message: string): void;
  /** An annotation on the runner; the same text is also a plain log line (Gitea shows no annotations). */
  warning(message: string, title?: string): void;
  error(message: string, title?: string): void;
  group<T>(name: string, body: () => Promise<T>): Promise<T>;
  /** Hide a secret from everything printed after this call (runner: ::add-mask::; terminal: redaction). */
  mask(secret: string): void;
}

export type RedactingLogger = Logger & { redact(text: string): string };

/**
 * Plain text lines, never a workflow command, no control or bidi character but our own line breaks,
 * masked secrets redacted: the terminal's logger, and the default before an entry point chooses one.
 */
export function plainLogger(write: (text: string) => void = (text) => process.stderr.write(text)): RedactingLogger {
  const secrets: string[] = [];
  const redact = (text: string): string => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
  // Redact first (secrets are known raw), then escape what may still drive a terminal, then break up `::`.
  const line = (text: string): void => write(`${plainLines(safeText(redact(text)))}\n`);
  return {
    redact,
    info: line,
    warning: (message) => line(`WARNING ${message}`),
    error: (message) => line(`ERROR ${message}`),
    group: async (name, body) => {
      line(`── ${name}`);
      return body();
    },
    mask: (secret) => {
      // Also as it reads once escaped (a secret holding a tab, quoted inert inside a message).
      if (secret.length > 0) secrets.push(...new Set([secret, safeText(secret), Buffer.from(secret).toString('base64')]));
    },
  };
}

let current: Logger = plainLogger();

/** Entry points choose the logger once (the CLI: the terminal's). */
export function setLogger(logger: Logger): void {
  current = logger;
}

/** The logger every module writes through. */
export const log: Logger = {
  info: (message) => current.info(message),
  warning: (message, title) => current.warning(message, title),
  error: (message, title) => current.error(message, title),
  group: (name, body) => current.group(name, body),
  mask: (secret) => current.mask(secret),
};
