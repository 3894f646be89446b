"""moto's server, with one validation lifted and what replication needs added (the only changes the tests make).

1. moto 5.2.1 accepts a registry policy only when every action is ecr:CreateRepository or
   ecr:ReplicateImage: the V1 scope's rule. Since December 2024 registries use scope V2, whose
   registry policy may hold any ECR action (ECR User Guide, "Private registry permissions in Amazon
   ECR"), and the tests need registry policies that deny or allow pulls.
2. moto 5.2.1 refuses a replication configuration of more than one rule ("This feature is
   disabled"). AWS takes up to 10 rules (ECR API Reference, "ReplicationConfiguration"), and a
   registry that replicates some prefixes to one place and others elsewhere needs several. The
   check that no destination is the source registry itself is kept, for every rule.
3. moto 5.2.1 has no repository creation templates, which decide the policy of a replica that
   replication creates (ECR User Guide, "Templates to control repositories created during a pull
   through cache or replication action"). Added: CreateRepositoryCreationTemplate,
   DescribeRepositoryCreationTemplates (the `prefixes` filter, `maxResults` and `nextToken`) and
   DeleteRepositoryCreationTemplate, kept in memory per account and region like the rest of moto's
   ECR (reset with it), answering the shapes of the ECR API Reference. The repository policy is
   stored as given: AWS validates it, this stand-in does not (tests store text that AWS would
   refuse, to see it judged as unreadable).

moto still replicates nothing: a push to a repository is not copied to the configured destinations.
Everything else is moto as installed.
"""
import sys
from datetime import datetime, timezone

from moto.core.responses import ActionResult
from moto.ecr.exceptions import InvalidParameterException, ValidationException
from moto.core.exceptions import ServiceException
from moto.ecr.models import ECRBackend
from moto.ecr.responses import ECRResponse


def _any_ecr_action(self, policy_text):  # V2: any ECR action may stand in a registry policy
    return None


ECRBackend._validate_registry_policy_action = _any_ecr_action


MAX_REPLICATION_RULES = 10  # ECR API Reference, "ReplicationConfiguration": rules, at most 10 items


def _put_replication_configuration(self, replication_config):
    rules = replication_config["rules"]
    if len(rules) > MAX_REPLICATION_RULES:
        raise ValidationException(f"A replication configuration holds at most {MAX_REPLICATION_RULES} rules")
    for rule in rules:
        for destination in rule["destinations"]:
            if destination["region"] == self.region_name and destination["registryId"] == self.account_id:
                raise InvalidParameterException(
                    "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: "
                    "'Replication destination cannot be the same as the source registry'"
                )
    self.replication_config = replication_config
    return {"replicationConfiguration": replication_config}


ECRBackend.put_replication_configuration = _put_replication_configuration


class TemplateAlreadyExistsException(ServiceException):
    code = "TemplateAlreadyExistsException"


class TemplateNotFoundException(ServiceException):
    code = "TemplateNotFoundException"


APPLIED_FOR = {"REPLICATION", "PULL_THROUGH_CACHE", "CREATE_ON_PUSH"}


def _templates(backend):
    """This account and region's templates by prefix (the backend is replaced on reset, and they with it)."""
    return backend.__dict__.setdefault("creation_templates", {})


def _create_repository_creation_template(self):
    prefix = self._get_param("prefix")
    applied_for = self._get_param("appliedFor") or []
    templates = _templates(self.ecr_backend)
    if not prefix:
        raise InvalidParameterException("prefix is required")
    if not applied_for or any(value not in APPLIED_FOR for value in applied_for):
        raise InvalidParameterException(f"appliedFor must list some of {sorted(APPLIED_FOR)}")
    if prefix in templates:
        raise TemplateAlreadyExistsException(f"Template with prefix '{prefix}' already exists")
    now = datetime.now(timezone.utc)
    template = {
        "prefix": prefix,
        "appliedFor": applied_for,
        "imageTagMutability": self._get_param("imageTagMutability") or "MUTABLE",
        "encryptionConfiguration": self._get_param("encryptionConfiguration") or {"encryptionType": "AES256"},
        "resourceTags": self._get_param("resourceTags") or [],
        "createdAt": now,
        "updatedAt": now,
    }
    for optional in ("description", "repositoryPolicy", "lifecyclePolicy", "customRoleArn"):
        if self._get_param(optional) is not None:
            template[optional] = self._get_param(optional)
    templates[prefix] = template
    return ActionResult({"registryId": self.current_account, "repositoryCreationTemplate": template})


def _describe_repository_creation_templates(self):
    prefixes = self._get_param("prefixes")
    max_results = self._get_param("maxResults") or 300
    start = int(self._get_param("nextToken") or 0)
    matching = [t for t in _templates(self.ecr_backend).values() if not prefixes or t["prefix"] in prefixes]
    page = matching[start : start + max_results]
    result = {"registryId": self.current_account, "repositoryCreationTemplates": page}
    if start + max_results < len(matching):
        result["nextToken"] = str(start + max_results)
    return ActionResult(result)


def _delete_repository_creation_template(self):
    prefix = self._get_param("prefix")
    template = _templates(self.ecr_backend).pop(prefix, None)
    if template is None:
        raise TemplateNotFoundException(f"Template with prefix '{prefix}' does not exist")
    return ActionResult({"registryId": self.current_account, "repositoryCreationTemplate": template})


ECRResponse.create_repository_creation_template = _create_repository_creation_template
ECRResponse.describe_repository_creation_templates = _describe_repository_creation_templates
ECRResponse.delete_repository_creation_template = _delete_repository_creation_template

from moto.server import main  # noqa: E402  (after the patches, so every backend sees them)

if __name__ == "__main__":
    main(sys.argv[1:])
