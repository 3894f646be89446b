import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { csvField, type SecretEnv, type SecretFile, type SecretValue } from '../../domain/build/secrets.js';

// The parsers of the secret inputs are pure and live in domain/build/secrets.ts; this adapter writes the secret files.

/**
 * Writes the `secrets` and `secret-envs` values into files in `dir` (inside the private DOCKER_CONFIG,
 * so they are removed with it: at the end, in `post:` and on SIGTERM) and returns the `--secret`
 * specifications for every secret. Values never reach a command line.
 */
export function secretSpecs(dir: string, secrets: SecretValue[], files: SecretFile[], envs: SecretEnv[], env: NodeJS.ProcessEnv): string[] {
  const specs: string[] = [];
  const valued = [
    ...secrets,
    ...envs.map(({ id, env: name }) => {
      const value = env[name];
      if (value === undefined) throw new UserError(`secret-envs: the environment variable ${name} (for secret ${id}) is not set in this step.`);
      return { id, value };
    }),
  ];
  if (valued.length > 0) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  valued.forEach(({ id, value }, index) => {
    const file = join(dir, `secret-${index}`);
    writeFileSync(file, value, { mode: 0o600 });
    specs.push(`id=${id},${csvField(`src=${file}`)}`);
  });
  for (const { id, path } of files) specs.push(`id=${id},${csvField(`src=${path}`)}`);
  return specs;
}
