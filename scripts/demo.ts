// `npm run demo`: starts the local stack (dockerd, a registry under the ECR host name, moto seeded
// with the registry account and the staging role of incident #3054, already fixed) and publishes
// examples/hello end to end with the real dist/index.js: build, push, grant, verify. Then prints its
// outputs and what the registry itself serves for the pushed tag.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runAction } from '../stack/action.js';
import { ensureStack } from './setup-stack.js';
import { createKeys, createRepository } from '../stack/aws.js';
import { PROD_ACCOUNT, REGION, STAGING_ACCOUNT, startEngineStack } from '../stack/engine.js';
import { INCIDENT_ALLOWLIST, STAGING_ROLE_ARN, allowlistPolicy, presets, seedStaging } from '../stack/fixture.js';
import { helloContext } from '../stack/fixtures.js';
import { startMoto } from '../stack/moto.js';
import { servedDigest } from '../stack/registry-client.js';

const repository = 'molecule-ai/molecule-platform-agent';
ensureStack({ log: (line) => console.log(line) });
if (!existsSync('dist/index.js')) execFileSync('npm', ['run', '-s', 'package'], { stdio: 'inherit' });
console.log('Starting dockerd, docker-registry and moto …');
const stack = await startEngineStack();
const moto = await startMoto();
let exitCode: number;
try {
  const keys = await createKeys(moto.endpoint, PROD_ACCOUNT, 'publisher');
  await createRepository(moto.endpoint, repository);
  await seedStaging(moto.endpoint, allowlistPolicy([...INCIDENT_ALLOWLIST, repository]));
  const run = await runAction(
    {
      repository,
      context: helloContext(),
      tags: 'demo',
      'pull-principals': `${STAGING_ACCOUNT}\n${STAGING_ROLE_ARN}`,
      ...presets.staging,
    },
    {
      ...keys,
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: moto.endpoint,
      DOCKER_HOST: stack.dockerHost,
      NODE_EXTRA_CA_CERTS: stack.caFile,
      PATH: `${stack.dockerClientDir}:${process.env.PATH}`,
      GITHUB_SHA: '0'.repeat(40),
    },
  );
  console.log(run.log);
  console.log('Outputs:');
  for (const [name, value] of Object.entries(run.outputs)) console.log(`  ${name} = ${value}`);
  const served = await servedDigest(repository, 'demo', stack.caFile);
  console.log(
    `The registry itself serves ${repository}:demo as ${served} (${served === run.outputs.digest ? 'the digest the action reported' : 'NOT the reported digest'}).`,
  );
  exitCode = run.exitCode;
} finally {
  await moto.stop();
  await stack.stop();
}
process.exit(exitCode);
