import { safeText } from './inert.js';

/**
 * Outside text in the step summary (HTML): a Sid or a Resource may hold `<img src=…>` or `<script>`,
 * and control or bidi characters (escaped visibly, as in the log). Our own line breaks stay.
 */
export function escapeHtml(text: string): string {
  return safeText(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
