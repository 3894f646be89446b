/** What an entry point says before any mode runs. */
export const runText = {
  nodeTooOld: (minimum: number, found: string) =>
    `node: this action needs Node ${minimum} or newer, and the runner has ${found}. Put a newer node first on the runner's PATH.`,
};
