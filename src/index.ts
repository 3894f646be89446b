#!/usr/bin/env node
// The action's entry (`node dist/index.js`, no arguments) and the CLI's (`publish-image verify …`).
import { run } from './action/main.js';

if (process.argv.length > 2) {
  void import('./cli/cli.js').then(async ({ runCli }) => {
    process.exitCode = await runCli(process.argv.slice(2));
  });
} else {
  void run();
}
