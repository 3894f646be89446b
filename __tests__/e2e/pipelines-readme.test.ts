// Issue 11, points 1-8 together: the README's workflow examples run as written through dist/index.js.
// The `with:` and `env:` of this action's step are taken from the README itself; `${{ … }}`
// expressions are replaced by what the runner would give (secrets, docker/metadata-action's outputs
// on a push to main), and an expression the test does not know fails it, so an edited example is
// run again, not trusted. The earlier steps of the migration example (setup-buildx-action,
// login-action) are played by the runner user's own state: a buildx plugin and builder, a login.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { buildxCalls, writeBuildxStandIn } from '../../stack/docker-standins.js';
import { engineFromEnv } from '../../stack/env.js';
import { helloContext } from '../../stack/fixtures.js';
import { REGISTRY_HOST, ROOT, runAction, useMoto } from '../../stack/fixture.js';
import { servedDigest } from '../../stack/registry-client.js';
import { loginAsUser, runnerUser, snapshot, writeBuilderState } from '../../stack/runner-user.js';
import { startSecondRegistry, type SecondRegistry } from '../../stack/second-registry.js';
import { waitFor } from '../../stack/process.js';

const engine = engineFromEnv();
const stack = useMoto({ bare: true });
let base: SecondRegistry;

type Step = { uses?: string; id?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Workflow = { jobs: Record<string, { steps: Step[] }> };

/** The ```yaml blocks that run this action, parsed: the README's, then docs/pipelines.md's (the migration example). */
function readmeWorkflows(): Workflow[] {
  const text = ['README.md', 'docs/pipelines.md'].map((file) => readFileSync(join(ROOT, file), 'utf8')).join('\n');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => parse(match[1]) as Workflow).filter((workflow) => workflow?.jobs);
}

function actionStep(workflow: Workflow): Step {
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const step = steps.find((candidate) => /molecule-ai\/publish-image@/.test(candidate.uses ?? ''));
  assert.ok(step, 'the example runs this action');
  return step;
}

/** Replaces `${{ … }}` with what the runner would put there; an unknown expression fails the test. */
function evaluate(value: unknown, expressions: Record<string, string>): string {
  return String(value).replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => {
    assert.ok(expression in expressions, `the test does not know the README expression \${{ ${expression} }}`);
    return expressions[expression];
  });
}

function stepInputs(step: Step, expressions: Record<string, string>, context: string): { inputs: Record<string, string>; stepEnv: Record<string, string> } {
  const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([name, value]) => [name, evaluate(value, expressions)]));
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, evaluate(value, expressions)]));
  return { inputs: { context, ...inputs }, stepEnv };
}

describe('the README examples run as written (dockerd + 2 registries + moto)', () => {
  before(async () => {
    base = await startSecondRegistry(engine.caFile);
  });
  after(async () => {
    await base?.stop();
  });

  it('"Publish an image": publishes, grants and verifies', async () => {
    const workflow = readmeWorkflows()[0];
    const step = actionStep(workflow);
    const repository = String(step.with?.repository);
    await stack.reseed({ repositories: [repository], allowlist: [repository] });
    const { inputs, stepEnv } = stepInputs(
      step,
      {
        'secrets.ECR_PUBLISH_ACCESS_KEY_ID': stack.env.AWS_ACCESS_KEY_ID as string,
        'secrets.ECR_PUBLISH_SECRET_ACCESS_KEY': stack.env.AWS_SECRET_ACCESS_KEY as string,
      },
      helloContext(),
    );
    const run = await runAction(inputs, {
      ...stack.env,
      ...stepEnv,
      DOCKER_HOST: engine.dockerHost,
      NODE_EXTRA_CA_CERTS: engine.caFile,
      PATH: `${engine.dockerClientDir}:${process.env.PATH}`,
      GITHUB_SHA: 'e'.repeat(40),
      GITHUB_REF: 'refs/heads/main',
    });
    assert.equal(run.exitCode, 0, run.log);
    assert.equal(run.outputs.drift, 'false');
    assert.deepEqual(run.outputs.tags.split('\n'), [`${REGISTRY_HOST}/${repository}:${'e'.repeat(40)}`, `${REGISTRY_HOST}/${repository}:latest`]);
    assert.ok(await stack.storedRepositoryPolicy(repository), 'the grant is written');
  });

  it('"Fits the pipeline you have": metadata-action tags, secrets, ssh, build-contexts, the job\'s buildx and logins', async () => {
    const workflow = readmeWorkflows().find((candidate) => Object.values(candidate.jobs).some((job) => job.steps.some((step) => step.id === 'meta')));
    assert.ok(workflow, 'the migration example');
    const step = actionStep(workflow);
    const repository = String(step.with?.repository);
    await stack.reseed({ repositories: [repository], allowlist: [repository] });

    // What setup-buildx-action and login-action left: a buildx plugin and builder, a login (to the
    // second registry, standing in for Docker Hub) in the runner user's ~/.docker.
    const user = runnerUser(engine.dockerHost, engine.dockerClientDir);
    loginAsUser(user, base.host, base.username, base.password);
    mkdirSync(join(user.dockerDir, 'cli-plugins'));
    const record = join(user.home, 'buildx.jsonl');
    writeBuildxStandIn(join(user.dockerDir, 'cli-plugins'), record, REGISTRY_HOST);
    writeBuilderState(join(user.dockerDir, 'buildx'));
    const before = snapshot(user.dockerDir);

    // An SSH agent holding a key, as webfactory/ssh-agent leaves one.
    const dir = mkdtempSync(join(tmpdir(), 'agent-'));
    const socket = join(dir, 'agent.sock');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      await waitFor('ssh-agent', async () => {
        try {
          execFileSync('ssh-add', [join(dir, 'key')], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
          return true;
        } catch {
          return false;
        }
      });
      const sha = 'f'.repeat(40);
      const image = `${REGISTRY_HOST}/${repository}`;
      const secrets = { GIT_AUTH_TOKEN: `git-${Math.random().toString(36).slice(2)}`, NPM_TOKEN: `npm-${Math.random().toString(36).slice(2)}` };
      const { inputs, stepEnv } = stepInputs(
        step,
        {
          'secrets.ECR_PUBLISH_ACCESS_KEY_ID': stack.env.AWS_ACCESS_KEY_ID as string,
          'secrets.ECR_PUBLISH_SECRET_ACCESS_KEY': stack.env.AWS_SECRET_ACCESS_KEY as string,
          'secrets.NPM_TOKEN': secrets.NPM_TOKEN,
          'secrets.GIT_AUTH_TOKEN': secrets.GIT_AUTH_TOKEN,
          // docker/metadata-action on a push of main with this example's `tags:` rules.
          'steps.meta.outputs.tags': `${image}:sha-${sha.slice(0, 7)}\n${image}:latest`,
          'steps.meta.outputs.labels': `org.opencontainers.image.title=workspace-template-claude-code\norg.opencontainers.image.revision=${sha}`,
          "github.event_name != 'pull_request'": 'true',
        },
        helloContext(
          `FROM ${base.host}/base/busybox:1\nRUN --mount=type=secret,id=GIT_AUTH_TOKEN --mount=type=secret,id=npm_token --mount=type=ssh ["/bin/busybox", "sh", "-c", "test -s /run/secrets/GIT_AUTH_TOKEN && test -s /run/secrets/npm_token && test -S \\"$SSH_AUTH_SOCK\\" && echo ok > /checked"]\n`,
        ),
      );
      // The base image, in the second registry (pushed once per run of this file).
      const pushConfig = mkdtempSync(join(tmpdir(), 'base-push-'));
      const docker = (args: string[], input?: string): void =>
        void execFileSync('/usr/bin/docker', args, {
          env: { ...process.env, DOCKER_HOST: engine.dockerHost, DOCKER_BUILDKIT: '1' },
          input,
          stdio: ['pipe', 'ignore', 'pipe'],
        });
      docker(['--config', pushConfig, 'login', '--username', base.username, '--password-stdin', base.host], base.password);
      docker(['build', '--tag', `${base.host}/base/busybox:1`, helloContext('FROM scratch\nCOPY busybox /bin/busybox\n')]);
      docker(['--config', pushConfig, 'push', `${base.host}/base/busybox:1`]);

      const run = await runAction(inputs, {
        ...stack.env,
        ...stepEnv,
        HOME: user.home,
        SSH_AUTH_SOCK: socket,
        DOCKER_HOST: engine.dockerHost,
        NODE_EXTRA_CA_CERTS: engine.caFile,
        PATH: `${user.bin}:${engine.dockerClientDir}:${process.env.PATH}`,
        GITHUB_SHA: sha,
        GITHUB_REF: 'refs/heads/main',
      });
      assert.equal(run.exitCode, 0, run.log);
      assert.equal(run.outputs.drift, 'false');
      assert.equal(run.outputs.registry, REGISTRY_HOST);
      for (const tag of [`sha-${sha.slice(0, 7)}`, 'latest']) assert.equal(await servedDigest(repository, tag), run.outputs.digest, tag);
      const build = buildxCalls(record).find((call) => call.args[1] === 'build');
      assert.ok(build && build.env.BUILDX_CONFIG === join(user.dockerDir, 'buildx'));
      assert.deepEqual(
        build.args.filter((_, index) => build.args[index - 1] === '--build-context'),
        ['shared=../shared'],
      );
      assert.ok(build.args.includes('--provenance=false'));
      assert.deepEqual(snapshot(user.dockerDir), before);
      const shown = run.log
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      for (const value of Object.values(secrets)) assert.ok(!shown.includes(value) && !JSON.stringify(run.outputs).includes(value));
    } finally {
      agent.kill();
    }
  });
});
