/** The engine stack that scripts/test.ts started for this run, passed to test files through the environment. */
export interface EngineEnv {
  dockerHost: string;
  caFile: string;
  dockerClientDir: string;
}

export function engineFromEnv(): EngineEnv {
  const dockerHost = process.env.PUBLISH_IMAGE_TEST_DOCKER_HOST;
  const caFile = process.env.PUBLISH_IMAGE_TEST_CA;
  const dockerClientDir = process.env.PUBLISH_IMAGE_TEST_DOCKER_BIN;
  if (!dockerHost || !caFile || !dockerClientDir) {
    throw new Error('The Docker engine and registry are not running: start the tests with `npm test`, which starts them (dockerd, docker-registry).');
  }
  return { dockerHost, caFile, dockerClientDir };
}

export function engineToEnv(stack: EngineEnv): Record<string, string> {
  return {
    PUBLISH_IMAGE_TEST_DOCKER_HOST: stack.dockerHost,
    PUBLISH_IMAGE_TEST_CA: stack.caFile,
    PUBLISH_IMAGE_TEST_DOCKER_BIN: stack.dockerClientDir,
  };
}
