import type { Unfixable } from './plan.js';
import type { PublicGrant } from './policy/repository-grant.js';
import type { TagMutability } from './publish-plan.js';

// What a run says beside the verdicts, as data: services return it, domain/ names it, report/ alone
// turns it into words.

/** Which mode runs. */
export type Mode = 'publish' | 'verify' | 'reconcile';

/** What `on-extra` says of repositories an allowlist names that nothing expects. */
export type OnExtra = 'warn' | 'fail' | 'ignore';

/** Which policy a change is to. */
export type PolicyTarget =
  | { kind: 'repository'; repository: string; replica?: { region: string; registryId: string } }
  | { kind: 'inline-policy'; roleName: string; policyName: string };

/** What a run says beside the verdicts, as data. */
export type Warning =
  | { kind: 'public-grant'; grant: PublicGrant }
  | { kind: 'allowlist-size'; used: number; limit: number }
  | { kind: 'simulator-failed'; repositoryArn: string; roleArn: string; code: string; message: string }
  | { kind: 'simulator-disagrees'; repositoryArn: string; roleArn: string; decisions: { action: string; decision: string }[]; local: string }
  | { kind: 'unfixable'; item: Unfixable }
  | { kind: 'dry-run' }
  | { kind: 'policy-deleted'; roleName: string; policyName: string }
  | { kind: 'latest-left-out'; repository: string; mutability: TagMutability; pushing: string[] };

/** A change this run made (or would make) to a policy, with both documents so it can be undone by hand. */
export interface PolicyChange {
  target: PolicyTarget;
  before: unknown;
  after: unknown;
  written: boolean;
  /** A later write of the same run failed and this one was put back as it was. */
  rolledBack?: boolean;
}
