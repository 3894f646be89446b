import * as core from '@actions/core';
import type { Logger } from '../log.js';
import { plainLines, safeText } from '../util/inert.js';

/**
 * The runner's logger: the toolkit's groups, annotations and masks. Every message is escaped
 * (`safeText`: no control or bidi character but our own line breaks) whatever its callers did, and
 * every plain line is made inert.
 */
export const actionLogger: Logger = {
  info: (message) => core.info(plainLines(safeText(message))),
  warning: (message, title) => {
    core.info(plainLines(safeText(`WARNING ${message}`)));
    core.warning(safeText(message), title ? { title: safeText(title) } : undefined);
  },
  error: (message, title) => {
    core.info(plainLines(safeText(`ERROR ${message}`)));
    core.error(safeText(message), title ? { title: safeText(title) } : undefined);
  },
  group: (name, body) => core.group(plainLines(safeText(name)).replace(/\n/g, ' '), body),
  mask: (secret) => {
    core.setSecret(secret);
    // The log shows a secret holding a control character escaped: mask it as it is shown, too.
    if (safeText(secret) !== secret) core.setSecret(safeText(secret));
  },
};
