/**
 * Whether the KMS key a repository is encrypted with lets ECR decrypt its images at pull time.
 *
 * ECR User Guide, "Encryption at rest": with KMS encryption, ECR "adds an AWS KMS grant to the KMS key
 * with the Amazon ECR repository as the grantee principal" (two CreateGrant calls at creation); "When
 * pulling an image, a Decrypt request is made to AWS KMS". A pull fails (BatchGetImage failure
 * `KmsError`) when KMS refuses that Decrypt.
 * KMS API Reference, "DescribeKey" / "KeyMetadata": KeyState Creating | Enabled | Disabled |
 * PendingDeletion | PendingImport | PendingReplicaDeletion | Unavailable | Updating; KMS Developer Guide,
 * "Key states of AWS KMS keys": only Enabled keys are usable in cryptographic operations (Disabled,
 * PendingDeletion, PendingImport (no key material), PendingReplicaDeletion and Unavailable (a custom key
 * store disconnected) are not). KeyManager AWS: the AWS managed key `aws/ecr`, whose key policy lets ECR
 * use it through kms:ViaService, so no grant is looked for.
 */

export interface KeyGrant {
  granteePrincipal?: string;
  operations: string[];
  /** Constraints.EncryptionContextSubset / EncryptionContextEquals, merged. */
  encryptionContext: Record<string, string>;
}

/**
 * What was read of a repository's encryption. `unread`: the repository's encryption itself is not known
 * (ecr:DescribeRepositories denied, or its answer did not list the repository): never taken for AES256,
 * since a KMS key behind it could be disabled.
 */
export type KeyFacts =
  | { encryption: 'AES256' }
  | { encryption: 'unread'; permission: string; reason: string }
  | {
      encryption: 'KMS';
      keyArn: string;
      key: { status: 'read'; keyState: string; keyManager?: string } | { status: 'unread'; reason: string };
      /** kms:ListGrants on the key; only needed for a customer managed key. */
      grants: { status: 'read'; grants: KeyGrant[] } | { status: 'unread'; reason: string };
    };

export type KeyVerdict = { usable: true } | { usable: false; detail: string } | { usable: 'unknown'; permission: string; reason: string };

/** `Deleted`: not a KeyState but DescribeKey's NotFoundException (the key is gone; nothing decrypts). */
const UNUSABLE_STATES = ['Disabled', 'PendingDeletion', 'PendingImport', 'PendingReplicaDeletion', 'Unavailable', 'Deleted'];

/**
 * ECR's grant for this repository: Decrypt to ECR's service principal in the repository's region
 * (`ecr.<region>.amazonaws.com`), constrained to this repository's `aws:ecr:arn` encryption context or
 * not constrained at all. Both must hold: ECR adds one grant per repository ("Encryption at rest"), so
 * another repository's grant on a shared key, or a grant with this context to another grantee, is
 * not what ECR decrypts this repository's layers with.
 */
function isEcrGrant(grant: KeyGrant, repositoryArn: string): boolean {
  if (!grant.operations.includes('Decrypt')) return false;
  const region = repositoryArn.split(':')[3];
  const toEcr = grant.granteePrincipal === `ecr.${region}.amazonaws.com` || grant.granteePrincipal === `ecr.${region}.amazonaws.com.cn`;
  const context = grant.encryptionContext['aws:ecr:arn'];
  return toEcr && (context === undefined || context === repositoryArn);
}

export function judgeKey(facts: KeyFacts, repositoryArn: string): KeyVerdict {
  if (facts.encryption === 'AES256') return { usable: true };
  if (facts.encryption === 'unread') return { usable: 'unknown', permission: facts.permission, reason: facts.reason };
  if (facts.key.status === 'unread') return { usable: 'unknown', permission: 'kms:DescribeKey', reason: facts.key.reason };
  const { keyState, keyManager } = facts.key;
  if (UNUSABLE_STATES.includes(keyState)) return { usable: false, detail: keyState };
  if (keyState !== 'Enabled') return { usable: 'unknown', permission: 'kms:DescribeKey', reason: `the key is ${keyState}, a state this action does not judge` };
  if (keyManager === 'AWS') return { usable: true };
  if (facts.grants.status === 'unread') return { usable: 'unknown', permission: 'kms:ListGrants', reason: facts.grants.reason };
  return facts.grants.grants.some((grant) => isEcrGrant(grant, repositoryArn)) ? { usable: true } : { usable: false, detail: 'grant-revoked' };
}
