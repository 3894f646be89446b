import { UserError } from '../errors.js';
import { quoted } from '../util/inert.js';
import { JsonTextError, parseJsonText } from '../util/json.js';
import { roleNameOf } from './arn.js';
import { parsePolicy } from './policy/document.js';
import type { ProposedLayer, ProposedState, Replacement } from './proposed/changes.js';
import { isObject, readPlan } from './proposed/terraform-plan.js';

export * from './proposed/changes.js';
export { modelledTypes, NOT_PULL_RELEVANT, UNMODELLED } from './proposed/terraform-plan.js';

/**
 * A proposed state (docs/iac.md): a policy document for a named layer, or a Terraform/OpenTofu plan in
 * JSON (read by proposed/terraform-plan.ts), read into the change model of proposed/changes.ts.
 */

/**
 * Deeper than the manifest's 64: a plan nests each module three levels (module_calls, name, module)
 * and holds every attribute of every resource in it (WAF rules nest statements in statements), yet
 * far below the few thousand levels at which JSON.stringify overflows the stack.
 */
const MAX_DEPTH = 256;
const EXPECTED = 'an IAM policy document (an object with a Statement) or a Terraform/OpenTofu plan in JSON (`terraform show -json plan.tfplan`)';

export function parseProposed(text: string, input: { file: string; layer?: ProposedLayer }): ProposedState {
  const shown = quoted(input.file, 120);
  let parsed: unknown;
  try {
    parsed = parseJsonText(text.replace(/^\uFEFF/, ''), { maxDepth: MAX_DEPTH });
  } catch (error) {
    if (error instanceof JsonTextError) throw new UserError(`proposed: ${shown} is not valid JSON (${error.message}). Give ${EXPECTED}.`);
    throw error;
  }
  if (isObject(parsed) && 'format_version' in parsed) return { from: 'plan', ...readPlan(parsed, shown) };
  if (isObject(parsed) && 'Statement' in parsed) return { from: 'policy-document', replacements: [readDocument(text, input.file, input.layer)] };
  throw new UserError(`proposed: ${shown} is not ${EXPECTED}.`);
}

function readDocument(text: string, file: string, layer: ProposedLayer | undefined): Replacement {
  const shown = quoted(file, 120);
  if (!layer)
    throw new UserError(`proposed: ${shown} is a policy document; say which policy it replaces (the allowlist, a repository's policy or the registry policy).`);
  const document = parsePolicy(text.replace(/^\uFEFF/, ''), `proposed: the policy document in ${shown}`);
  const from = file;
  if (layer.layer === 'allowlist')
    return { kind: 'inline-policy', from, roleName: layer.roleArn ? roleNameOf(layer.roleArn) : undefined, policyName: layer.policyName, document };
  if (layer.layer === 'repository') return { kind: 'repository-policy', from, repository: layer.repository, document };
  return { kind: 'registry-policy', from, document };
}
