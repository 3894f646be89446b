import { safeText } from '../../util/inert.js';

/**
 * A docker command's output is outside text of any size (a Dockerfile from a pull request writes
 * what it likes, a registry answers what it likes). The log shows it escaped and bounded: the first
 * SHOWN characters as they come, then the last SHOWN when the command ends, each line at most LINE_MAX;
 * errors quote only the end of it (`outputExcerpt`), and memory holds only the end (KEPT).
 */
export const SHOWN = 64 * 1024;
const LINE_MAX = 4096;
/** How much of each stream is kept for reading the result (a digest, a status, the lines to quote). */
const KEPT = 64 * 1024;
const HEAD_KEPT = 4096;

/**
 * The start (HEAD_KEPT) and the end (KEPT) of a stream, with a line saying how much between them
 * was dropped: a digest or a status is read from the end, an error quoted from both (amortised:
 * the end is cut only when twice KEPT).
 */
export class Tail {
  private head = '';
  private text = '';
  private dropped = 0;
  /** Every character the stream held. */
  length = 0;
  add(chunk: string): void {
    this.length += chunk.length;
    if (this.head.length < HEAD_KEPT && this.dropped === 0 && this.text === '') {
      const room = HEAD_KEPT - this.head.length;
      this.head += chunk.slice(0, room);
      chunk = chunk.slice(room);
    }
    this.text += chunk;
    if (this.text.length > 2 * KEPT) {
      this.dropped += this.text.length - KEPT;
      this.text = this.text.slice(-KEPT);
    }
  }
  toString(): string {
    const extra = Math.max(0, this.text.length - KEPT);
    const dropped = this.dropped + extra;
    return dropped > 0 ? `${this.head}\n… (${dropped} characters of output not kept) …\n${this.text.slice(extra)}` : this.head + this.text;
  }
}

const cut = (line: string, more: number): string => (more > 0 ? `${line}… (${more} more characters)` : line);

/** Splits chunks into lines without holding more than LINE_MAX characters of an unended one. */
class Lines {
  private partial = '';
  private more = 0;
  constructor(private readonly onLine: (line: string) => void) {}
  add(chunk: string): void {
    const parts = chunk.split('\n');
    for (let index = 0; index < parts.length; index++) {
      const room = LINE_MAX - this.partial.length;
      const part = parts[index];
      this.partial += part.slice(0, Math.max(0, room));
      this.more += Math.max(0, part.length - Math.max(0, room));
      if (index < parts.length - 1) this.flush();
    }
  }
  /** The line escaped (as the logger would), then cut to LINE_MAX: the bounds hold for what is printed. */
  flush(): void {
    if (this.partial || this.more) {
      const escaped = safeText(this.partial.replace(/\r$/, ''));
      this.onLine(cut(escaped.slice(0, LINE_MAX), this.more + Math.max(0, escaped.length - LINE_MAX)));
    }
    this.partial = '';
    this.more = 0;
  }
}

/** Prints the output's first SHOWN characters live, holds the last SHOWN, and prints those at the end. */
export class ShownOutput {
  private printed = 0;
  private held: string[] = [];
  private heldLength = 0;
  private skippedLines = 0;
  private skippedChars = 0;
  private readonly streams: Lines[];

  constructor(private readonly print: (line: string) => void) {
    this.streams = [new Lines((line) => this.line(line)), new Lines((line) => this.line(line))];
  }

  stdout(chunk: string): void {
    this.streams[0].add(chunk);
  }
  stderr(chunk: string): void {
    this.streams[1].add(chunk);
  }

  private line(line: string): void {
    if (this.printed < SHOWN && this.held.length === 0) {
      this.printed += line.length + 1;
      this.print(line);
      return;
    }
    this.held.push(line);
    this.heldLength += line.length + 1;
    while (this.heldLength > SHOWN && this.held.length > 1) {
      const dropped = this.held.shift()!;
      this.heldLength -= dropped.length + 1;
      this.skippedLines++;
      this.skippedChars += dropped.length + 1;
    }
  }

  end(): void {
    for (const stream of this.streams) stream.flush();
    if (this.skippedLines > 0)
      this.print(
        `… ${this.skippedLines} line(s), ${this.skippedChars} characters, of this output not shown (the log keeps its first and last ${SHOWN / 1024} KiB) …`,
      );
    for (const line of this.held) this.print(line);
    this.held = [];
  }
}
