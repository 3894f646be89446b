import * as core from '@actions/core';
import { plainLines } from './inert.js';

export { inert, plainLines } from './inert.js';

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
