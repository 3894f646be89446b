import { UserError } from '../../errors.js';

interface AwsLikeError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
]);

/**
 * Turns an SDK error into one line that says which call failed, why, and what to do. `permission`
 * is the IAM action the call needs (e.g. `ecr:SetRepositoryPolicy`); `who` says which credentials.
 */
export function describeAwsError(error: unknown, permission: string, who = 'the current credentials'): UserError {
  if (error instanceof UserError) return error;
  const aws = error as AwsLikeError;
  const code = aws.name ?? 'Error';
  const detail = (aws.message ?? String(error)).split('\n')[0];
  if (DENIED.has(code) || aws.$metadata?.httpStatusCode === 403) {
    return new UserError(
      `${permission} was denied for ${who} (${code}: ${detail}). Allow ${permission} on that identity (see "IAM permissions" in the README).`,
    );
  }
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(detail)) {
    return new UserError(
      `AWS credentials: none found for ${permission} (${detail}). Configure AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a role before this step.`,
    );
  }
  const attempts = aws.$metadata?.attempts ?? 1;
  const retried = attempts > 1 ? ` after ${attempts} attempts` : '';
  return new UserError(
    `${permission} failed${retried} (${code}: ${detail}). AWS or the network is failing; re-run the job later. Nothing after this call was written.`,
  );
}

export function isAwsError(error: unknown, ...names: string[]): boolean {
  return names.includes((error as AwsLikeError)?.name ?? '');
}

/** Calls AWS and converts any failure into a UserError naming the permission. */
export async function awsCall<T>(permission: string, call: () => Promise<T>, who?: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeAwsError(error, permission, who);
  }
}
