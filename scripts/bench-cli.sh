#!/usr/bin/env bash
# The obvious alternative, for the benchmark: the same reads done with Debian's aws CLI, one
# process per call, and a text search for the ARN (what the team did by hand before).
# usage: bench-cli.sh ENDPOINT REGISTRY_ID READER_ROLE_ARN STAGING_ROLE_NAME STAGING_ACCOUNT REPOSITORIES_FILE
set -euo pipefail
endpoint=$1 registry=$2 reader=$3 role=$4 staging=$5 repositories=$6
aws=(/usr/bin/aws --endpoint-url "$endpoint" --region us-east-2 --output text)
read -r key secret token < <("${aws[@]}" sts assume-role --role-arn "$reader" --role-session-name bench \
  --query '[Credentials.AccessKeyId,Credentials.SecretAccessKey,Credentials.SessionToken]')
staging_aws=(env AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="$token" "${aws[@]}")
documents=""
for policy in $("${staging_aws[@]}" iam list-role-policies --role-name "$role" --query PolicyNames); do
  documents+=$("${staging_aws[@]}" iam get-role-policy --role-name "$role" --policy-name "$policy" --query PolicyDocument --output json)
done
"${staging_aws[@]}" iam list-attached-role-policies --role-name "$role" --query 'AttachedPolicies[].PolicyArn' >/dev/null
drift=0
while read -r repository; do
  grant=$("${aws[@]}" ecr get-repository-policy --registry-id "$registry" --repository-name "$repository" --query policyText 2>/dev/null || true)
  grep -q "$staging" <<<"$grant" || { echo "grant missing: $repository"; drift=1; }
  grep -q "repository/$repository\"" <<<"$documents" || grep -q 'repository/molecule-ai/bench-\*' <<<"$documents" || { echo "identity missing: $repository"; drift=1; }
done <"$repositories"
exit $drift
