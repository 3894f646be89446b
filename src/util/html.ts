/** Outside text in the step summary (HTML): a Sid or a Resource may hold `<img src=…>` or `<script>`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
