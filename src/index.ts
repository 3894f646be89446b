#!/usr/bin/env node
// The action's entry (`node dist/index.js`, no arguments) and the CLI's (`publish-image verify …`).
import { run } from './action/main.js';
import { capYoungGeneration } from './util/young-generation.js';

// Under Node < 22 the AWS SDK prints a NodeVersionSupportWarning on every run: news for whoever
// updates the SDK here (the action runs on node24; the CLI supports Node 20+), never for a user's
// log. The SDK's own switch for exactly that warning (aws/aws-sdk-js-v3#7983); read when a client is made.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Peak memory: the young generation stays at Node 20's size (util/young-generation.ts says why).
capYoungGeneration();

if (process.argv.length > 2) {
  void import('./cli/cli.js').then(async ({ runCli }) => {
    process.exitCode = await runCli(process.argv.slice(2));
  });
} else {
  void run();
}
