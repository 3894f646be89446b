import * as core from '@actions/core';

/**
 * The one way the action and the CLI talk to a person. Two implementations: the runner's (the
 * toolkit: groups, annotations, masks) and the terminal's (plain text on stderr, secrets redacted,
 * never a workflow command). Entry points choose one with `setLogger`; nothing else writes to the log.
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

/** Longest text taken from outside (AWS, a manifest, an input) that one message quotes. */
const MAX_QUOTED = 300;

/**
 * Makes a string that came from outside (a Sid, a stored Resource, a manifest entry, an input)
 * inert inside one of our log lines: control characters (newlines above all) are escaped, so it
 * can never start a line of its own, and it is cut to a readable length.
 */
export function inert(value: unknown, max = MAX_QUOTED): string {
  const text = typeof value === 'string' ? value : String(value);
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max)}… (${escaped.length - max} more characters)` : escaped;
}

/**
 * Defence in depth for plain lines: the runners (GitHub's and act's) treat a line whose trimmed start
 * is `::` as a command, and GitHub's also `##[` anywhere in it. No plain line of ours may do either.
 */
export function plainLines(message: string): string {
  return message
    .split(/\r\n|\r|\n/)
    .map((line) => (line.trimStart().startsWith('::') ? line.replace('::', ': :') : line).replaceAll('##[', '## ['))
    .join('\n');
}

export const actionLogger: Logger = {
  info: (message) => core.info(plainLines(message)),
  warning: (message, title) => {
    core.info(plainLines(`WARNING ${message}`));
    core.warning(message, title ? { title } : undefined);
  },
  error: (message, title) => {
    core.info(plainLines(`ERROR ${message}`));
    core.error(message, title ? { title } : undefined);
  },
  group: (name, body) => core.group(plainLines(name).replace(/\n/g, ' '), body),
  mask: (secret) => core.setSecret(secret),
};

/** A terminal: progress and findings on stderr as plain text, never a workflow command or a secret. */
export function terminalLogger(write: (text: string) => void = (text) => process.stderr.write(text)): Logger & { redact(text: string): string } {
  const secrets: string[] = [];
  const redact = (text: string): string => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
  const line = (text: string): void => write(`${redact(plainLines(text))}\n`);
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
      if (secret.length > 0) secrets.push(secret, Buffer.from(secret).toString('base64'));
    },
  };
}

let current: Logger = actionLogger;

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
