import { parseProposed, type ProposedLayer, type ProposedState } from '../domain/proposed.js';
import { readWorkspaceText, workspaceRoot, type FileWords } from './manifest-file.js';

const PROPOSED_WORDS: FileWords = {
  label: 'proposed',
  noun: 'the proposed policy document or plan JSON',
  tooLarge: 'Give a policy document or the output of `terraform show -json plan.tfplan`, not another file.',
  checkout: '',
};

/**
 * Reads a proposed state (docs/iac.md) as the manifest is read: a regular file inside the workspace,
 * at most 5 MiB and 64 levels deep, errors that name the file and never quote its content.
 * `layer` says which policy a lone policy document replaces; a plan says so itself.
 */
export function readProposedFile(path: string, layer?: ProposedLayer, workspace: string = workspaceRoot()): ProposedState {
  return parseProposed(readWorkspaceText(path, PROPOSED_WORDS, workspace), { file: path, layer });
}
