// The post: step in-process (src/action/docker-config-state.ts, src/action/post.ts): it deletes only the
// private DOCKER_CONFIG the main step made and marked, says what it did, and fails loudly when it cannot.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { removeSavedDockerConfigDir } from '../../src/action/docker-config-state.js';
import { postSaysNothing, sayPostOutcome } from '../../src/action/post.js';
import { markOurDockerConfig } from '../../src/action/state.js';
import { plainLogger, setLogger } from '../../src/log.js';

describe('post: step, in-process', () => {
  let runnerTemp: string;
  let lines: string[];
  let exitCode: typeof process.exitCode;
  beforeEach(() => {
    runnerTemp = mkdtempSync(join(tmpdir(), 'runner-'));
    lines = [];
    exitCode = process.exitCode;
    setLogger(plainLogger((text) => void lines.push(text)));
  });
  afterEach(() => {
    process.exitCode = exitCode;
    setLogger(plainLogger());
  });
  const env = (dir?: string): NodeJS.ProcessEnv => ({ RUNNER_TEMP: runnerTemp, ...(dir ? { 'STATE_docker-config': dir } : {}) });
  const ours = (): string => {
    const dir = join(runnerTemp, 'publish-image-docker-Ab12Cd');
    mkdirSync(dir);
    markOurDockerConfig(dir);
    return dir;
  };

  it('nothing saved: nothing done, nothing said', () => {
    const outcome = removeSavedDockerConfigDir(env());
    assert.deepEqual(outcome, { kind: 'none' });
    assert.ok(postSaysNothing(outcome));
  });

  it('the main step removed its folder itself: gone, nothing said', () => {
    const outcome = removeSavedDockerConfigDir(env(join(runnerTemp, 'publish-image-docker-Ab12Cd')));
    assert.equal(outcome.kind, 'gone');
    assert.ok(postSaysNothing(outcome));
  });

  it('our marked folder is removed, and said', () => {
    const dir = ours();
    const outcome = removeSavedDockerConfigDir(env(dir));
    assert.deepEqual(outcome, { kind: 'removed', dir });
    assert.ok(!existsSync(dir));
    sayPostOutcome(outcome);
    assert.match(lines.join('\n'), /Removed the private DOCKER_CONFIG/);
  });

  it('a forged path (not named as ours, or without our marker) is refused: nothing deleted, a warning', () => {
    for (const dir of [mkdtempSync(join(runnerTemp, 'home-')), join(runnerTemp, 'publish-image-docker-Zz99Yy')]) {
      mkdirSync(dir, { recursive: true });
      const outcome = removeSavedDockerConfigDir(env(dir));
      assert.equal(outcome.kind, 'refused', dir);
      assert.ok(existsSync(dir), 'left as it was');
      sayPostOutcome(outcome);
    }
    assert.equal(lines.filter((line) => /nothing was deleted/.test(line)).length, 2);
  });

  it('a folder it could not remove fails the step, saying to delete it by hand', () => {
    sayPostOutcome({ kind: 'failed', error: new Error('EBUSY') });
    assert.equal(process.exitCode, 1);
    assert.match(lines.join('\n'), /could not remove the private DOCKER_CONFIG \(EBUSY\)\. Delete it from the runner by hand/);
  });
});
