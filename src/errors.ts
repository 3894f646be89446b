/**
 * An error the user can act on: it names the input or permission at fault and the fix.
 * Anything else reaching the top level is a bug and is reported as such.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
