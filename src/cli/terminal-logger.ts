import { plainLogger, type RedactingLogger } from '../log.js';

/**
 * The CLI's logger: progress and findings on stderr as plain text, WARNING/ERROR in colour only on a
 * terminal, never a workflow command, and masked secrets redacted.
 */
export function terminalLogger(stream: NodeJS.WriteStream = process.stderr): RedactingLogger {
  const colour = stream.isTTY === true && !process.env.NO_COLOR;
  const paint = (text: string): string => {
    if (!colour) return text;
    return text.replace(/^(ERROR|WARNING) /gm, (_, word: string) => `${word === 'ERROR' ? '\u001b[31m' : '\u001b[33m'}${word}\u001b[0m `);
  };
  return plainLogger((text) => stream.write(paint(text)));
}
