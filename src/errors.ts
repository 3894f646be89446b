/**
 * An error the user can act on: it names the input or permission at fault and the fix.
 * Anything else reaching the top level is a bug and is reported as such.
 */
export class UserError extends Error {
  /** The message without its last word on the run's writes, for a caller that says more about them. */
  readonly what: string;
  /** AWS answered and refused the call (denied, or a client error a re-run repeats): it changed nothing. */
  readonly refusedByAws: boolean;
  constructor(message: string, writes?: string, options: { refusedByAws?: boolean } = {}) {
    super(writes ? `${message} ${writes}` : message);
    this.name = 'UserError';
    this.what = message;
    this.refusedByAws = options.refusedByAws ?? false;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
