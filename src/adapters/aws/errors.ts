import { UserError } from '../../errors.js';
import { inert } from '../../util/inert.js';

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

/** Codes AWS answers when it is overloaded or failing for now: another attempt (a re-run) may pass. */
const TRANSIENT = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
  'ConcurrentModification',
  'ConcurrentModificationException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServerException',
  'ServiceFailure',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/**
 * Failing for now: no HTTP answer at all (a dropped connection, a timeout), a 5xx or 429, or a
 * throttling code. Any other answer (a 4xx: a refused document, a bad parameter, a limit) is a
 * refusal that a re-run would meet again.
 */
function isTransient(aws: AwsLikeError, code: string): boolean {
  const status = aws.$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429 || TRANSIENT.has(code);
}

/** Longest part of an AWS error message an error quotes (the message is AWS's, or whatever answered). */
const MAX_DETAIL = 300;

/**
 * Turns an SDK error into one line that says which call failed, why, and what to do. `permission`
 * is the IAM action the call needs (e.g. `ecr:SetRepositoryPolicy`); `who` says which credentials.
 * AWS's message is outside text: quoted inert, at most MAX_DETAIL characters.
 */
export function describeAwsError(error: unknown, permission: string, who = 'the current credentials'): UserError {
  if (error instanceof UserError) return error;
  const aws = error as AwsLikeError;
  const code = inert(aws.name ?? 'Error', 80);
  const message = aws.message ?? String(error);
  const detail = inert(message.split('\n')[0] || message, MAX_DETAIL);
  if (DENIED.has(code) || aws.$metadata?.httpStatusCode === 403) {
    return new UserError(
      `${permission} was denied for ${who} (${code}: ${detail}). Allow ${permission} on that identity (see docs/permissions.md).`,
      undefined,
      {
        refusedByAws: true,
      },
    );
  }
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new UserError(
      `AWS credentials: none found for ${permission} (${detail}). Configure AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a role before this step.`,
    );
  }
  const attempts = aws.$metadata?.attempts ?? 1;
  const retried = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (!isTransient(aws, code)) {
    return new UserError(
      `${permission} was refused by AWS (${code}: ${detail}); a re-run would be refused the same way. Fix what it names; if it names something publish-image sent, please report it.`,
      'Nothing after this call was written.',
      { refusedByAws: true },
    );
  }
  return new UserError(
    `${permission} failed${retried} (${code}: ${detail}). AWS or the network is failing; re-run the job later.`,
    'Nothing after this call was written.',
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
