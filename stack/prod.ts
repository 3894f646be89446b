import { createKeys, createRepository, type Keys } from './aws.js';
import { PROD_ACCOUNT, REGION } from './engine.js';
import type { Moto } from './moto.js';

/** The environment a runner gives the action: prod keys, the region, moto as the AWS endpoint. */
export async function prodEnvironment(moto: Moto, repositories: string[]): Promise<NodeJS.ProcessEnv & Keys> {
  const keys = await createKeys(moto.endpoint, PROD_ACCOUNT, 'publisher');
  for (const repository of repositories) await createRepository(moto.endpoint, repository);
  return { ...keys, AWS_REGION: REGION, AWS_ENDPOINT_URL: moto.endpoint, PATH: process.env.PATH };
}
