import * as core from '@actions/core';
import type { Logger } from '../log.js';
import { plainLines } from '../util/inert.js';

/** The runner's logger: the toolkit's groups, annotations and masks; every plain line made inert. */
export const actionLogger: Logger = {
  info: (message) => core.info(plainLines(message)),
  warning: (message, title) => {
    core.info(plainLines(`WARNING ${message}`));
    core.warning(message, title ? { title } : undefined);
  },
  error: (message, title) => {
    core.info(plainLines(`ERROR ${message}`));
    core.error(message, title ? { title } : undefined);
  },
  group: (name, body) => core.group(plainLines(name).replace(/\n/g, ' '), body),
  mask: (secret) => core.setSecret(secret),
};
