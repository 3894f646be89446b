/**
 * An error the user can act on: it names the input or permission at fault and the fix.
 * Anything else reaching the top level is a bug and is reported as such.
 */
export class UserError extends Error {
  /** The message without its last word on the run's writes, for a caller that says more about them. */
  readonly what: string;
  constructor(message: string, writes?: string) {
    super(writes ? `${message} ${writes}` : message);
    this.name = 'UserError';
    this.what = message;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
