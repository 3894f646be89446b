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


# ---------------------------------------------------------------------------------------------------
# Image status, archive, replication status, lifecycle `transition` (issue 26). A separate block: the
# smallest emulation of what moto 5.2.1 lacks for the image layer, each part answering the shapes of
# the ECR API Reference (botocore's ECR model serializes them).
#
# 4. Image status. moto's images have no imageStatus and DescribeImages ignores `filter`. Each image
#    gets `image_status` (ACTIVE), `last_archived_at`, `last_activated_at` and `last_recorded_pull_time`
#    (None: never pulled); DescribeImages answers, as "DescribeImagesFilter" says, only ACTIVE images
#    unless `filter.imageStatus` names another status or ANY, in pages of `maxResults` (moto answers all
#    at once). BatchGetImage of an image that is not
#    ACTIVE fails as a pull does ("Archived images cannot be pulled", User Guide "Archiving an image"):
#    failure ImageNotFound.
# 5. UpdateImageStorageClass: ARCHIVE moves an ACTIVE image to ARCHIVED (lastArchivedAt now); STANDARD
#    moves an ARCHIVED image to ACTIVATING ("restore … up to 20 minutes"). moto has no clock for the
#    restore: the test hook below ends it (ACTIVE, lastActivatedAt now).
# 6. DescribeImageReplicationStatus: moto never replicates, so an image has no replication record
#    (an empty `replicationStatuses`, as for content pushed before replication was configured) unless
#    a test sets one with the hook below: per image, a list of {region, registryId, status, failureCode}.
# 7. Lifecycle policies: moto's validator knows only `expire` and two count types. It now also takes
#    action `transition` with `targetStorageClass: archive`, `selection.storageClass`, and the count
#    types sinceImagePulled and sinceImageTransitioned ("Lifecycle policy properties in Amazon ECR").
#    Rules are stored, never run (moto expires nothing either).
# Test hooks (no AWS API sets these): POST JSON to
#    /moto-api/static/ecr/image-state   {account, region, repositoryName, imageDigest,
#                                        imageStatus?, imagePushedAt?, lastRecordedPullTime? (epoch seconds)}
#    /moto-api/static/ecr/replication-status {account, region, repositoryName, imageDigest,
#                                        replicationStatuses: [{region, registryId, status, failureCode?}]}
# ---------------------------------------------------------------------------------------------------
import json  # noqa: E402

from moto.ecr import policy_validation  # noqa: E402
from moto.ecr.exceptions import ImageNotFoundException  # noqa: E402
from moto.ecr.models import Image, ecr_backends  # noqa: E402
from moto.moto_api._internal import urls as moto_api_urls  # noqa: E402
from moto.moto_api._internal.responses import MotoAPIResponse  # noqa: E402

IMAGE_STATUSES = {"ACTIVE", "ARCHIVED", "ACTIVATING"}

_image_init = Image.__init__


def _image_init_with_status(self, *args, **kwargs):
    _image_init(self, *args, **kwargs)
    self.image_status = "ACTIVE"
    self.last_archived_at = None
    self.last_activated_at = None
    self.last_recorded_pull_time = None


Image.__init__ = _image_init_with_status

_describe_images = ECRResponse.describe_images


def _describe_images_by_status(self):
    wanted = (self._get_param("filter") or {}).get("imageStatus") or "ACTIVE"
    result = _describe_images(self)
    details = result.result["imageDetails"] if hasattr(result, "result") else None
    if details is None:
        raise RuntimeError("moto's DescribeImages answer changed shape: update moto-server.py")
    if wanted != "ANY":
        details[:] = [image for image in details if getattr(image, "image_status", "ACTIVE") == wanted]
    # moto answers every image at once; ECR pages by maxResults (up to 1000) and nextToken.
    max_results = self._get_param("maxResults")
    if max_results and not self._get_param("imageIds"):
        start = int(self._get_param("nextToken") or 0)
        total = len(details)
        details[:] = details[start : start + max_results]
        if start + max_results < total:
            result.result["nextToken"] = str(start + max_results)
    return result


ECRResponse.describe_images = _describe_images_by_status

_batch_get_image = ECRBackend.batch_get_image


def _batch_get_active_image(self, repository_name, registry_id=None, image_ids=None):
    response = _batch_get_image(self, repository_name, registry_id, image_ids)
    active = []
    for image in response["images"]:
        if getattr(image, "image_status", "ACTIVE") == "ACTIVE":
            active.append(image)
        else:
            response["failures"].append(
                {"imageId": {"imageDigest": image.get_image_digest()}, "failureCode": "ImageNotFound", "failureReason": "Requested image not found"}
            )
    response["images"] = active
    return response


ECRBackend.batch_get_image = _batch_get_active_image


def _image_of(backend, repository_name, registry_id, image_id):
    repository = backend._get_repository(repository_name, registry_id)
    digest, tag = (image_id or {}).get("imageDigest"), (image_id or {}).get("imageTag")
    for image in repository.images:
        if (digest and image.get_image_digest() == digest) or (tag and tag in image.image_tags):
            return image
    raise ImageNotFoundException(image_id=f"imageDigest={digest}, imageTag={tag}", repository_name=repository_name, registry_id=registry_id or backend.account_id)


def _update_image_storage_class(self):
    image = _image_of(self.ecr_backend, self._get_param("repositoryName"), self._get_param("registryId"), self._get_param("imageId"))
    target = self._get_param("targetStorageClass")
    now = datetime.now(timezone.utc)
    if target == "ARCHIVE" and image.image_status == "ACTIVE":
        image.image_status, image.last_archived_at = "ARCHIVED", now
    elif target == "STANDARD" and image.image_status == "ARCHIVED":
        image.image_status = "ACTIVATING"
    elif target not in ("ARCHIVE", "STANDARD"):
        raise InvalidParameterException("targetStorageClass must be STANDARD or ARCHIVE")
    else:
        raise InvalidParameterException(f"The image is {image.image_status}; it cannot move to {target}")
    return ActionResult(
        {
            "registryId": image.registry_id,
            "repositoryName": image.repository_name,
            "imageId": {"imageDigest": image.get_image_digest()},
            "imageStatus": image.image_status,
        }
    )


def _replication_records(backend):
    return backend.__dict__.setdefault("image_replication_statuses", {})


def _describe_image_replication_status(self):
    repository_name = self._get_param("repositoryName")
    image = _image_of(self.ecr_backend, repository_name, self._get_param("registryId"), self._get_param("imageId"))
    statuses = _replication_records(self.ecr_backend).get((repository_name, image.get_image_digest()), [])
    return ActionResult(
        {"repositoryName": repository_name, "imageId": {"imageDigest": image.get_image_digest()}, "replicationStatuses": statuses}
    )


ECRResponse.update_image_storage_class = _update_image_storage_class
ECRResponse.describe_image_replication_status = _describe_image_replication_status

policy_validation.VALID_ACTION_TYPE_VALUES.add("transition")
policy_validation.VALID_ACTION_PROPERTIES = {"type", "targetStorageClass"}
policy_validation.VALID_SELECTION_PROPERTIES = {*policy_validation.VALID_SELECTION_PROPERTIES, "storageClass"}
policy_validation.VALID_SELECTION_COUNT_TYPE_VALUES.update({"sinceImagePulled", "sinceImageTransitioned"})


def _hook_body(request, headers):
    """moto's own hooks read the body the same way (MotoAPIResponse._get_body): werkzeug has not read it."""
    return MotoAPIResponse()._get_body(headers, request)


def _hook_image(body):
    backend = ecr_backends[body["account"]][body["region"]]
    return backend, _image_of(backend, body["repositoryName"], None, {"imageDigest": body["imageDigest"]})


def _set_image_state(request, full_url, headers):
    body = _hook_body(request, headers)
    _backend, image = _hook_image(body)
    status = body.get("imageStatus")
    if status is not None:
        if status not in IMAGE_STATUSES:
            return 400, {}, json.dumps({"error": f"imageStatus must be one of {sorted(IMAGE_STATUSES)}"})
        if status == "ACTIVE" and image.image_status == "ACTIVATING":
            image.last_activated_at = datetime.now(timezone.utc)
        image.image_status = status
    if body.get("imagePushedAt") is not None:
        image.image_pushed_at = int(body["imagePushedAt"])
    if body.get("lastRecordedPullTime") is not None:
        image.last_recorded_pull_time = datetime.fromtimestamp(int(body["lastRecordedPullTime"]), timezone.utc)
    return 200, {}, json.dumps({"status": "ok"})


def _set_replication_status(request, full_url, headers):
    body = _hook_body(request, headers)
    backend, image = _hook_image(body)
    _replication_records(backend)[(body["repositoryName"], image.get_image_digest())] = body["replicationStatuses"]
    return 200, {}, json.dumps({"status": "ok"})


# 8. ECR's grant on a repository's KMS key. "Encryption at rest": at creation ECR "sends two CreateGrant
#    requests" so that it may encrypt and decrypt with the key; moto's ECR creates none. A repository
#    created with a customer managed key of the same account and region now gets one grant to
#    `ecr.<region>.amazonaws.com` for the data-key operations, constrained to the repository's
#    `aws:ecr:arn` encryption context (one grant stands for both; revoking it is what a test does).
_create_repository = ECRBackend.create_repository

ECR_GRANT_OPERATIONS = ["Decrypt", "Encrypt", "GenerateDataKey", "ReEncryptFrom", "ReEncryptTo", "DescribeKey", "CreateGrant", "RetireGrant"]


def _create_repository_with_grant(self, repository_name, registry_id, encryption_config, *args, **kwargs):
    repository = _create_repository(self, repository_name, registry_id, encryption_config, *args, **kwargs)
    config = repository.encryption_configuration or {}
    key = config.get("kmsKey")
    if config.get("encryptionType") == "KMS" and key and f":{self.region_name}:{self.account_id}:" in key:
        from moto.kms.models import kms_backends

        kms = kms_backends[self.account_id][self.region_name]
        try:
            kms.create_grant(
                key.split("/")[-1],
                f"ecr.{self.region_name}.amazonaws.com",
                ECR_GRANT_OPERATIONS,
                f"ecr-{repository_name}",
                {"EncryptionContextSubset": {"aws:ecr:arn": repository.arn}},
                f"ecr.{self.region_name}.amazonaws.com",
            )
        except Exception:  # a key moto does not hold (the ARN only): no grant, as ECR would have refused the key
            pass
    return repository


ECRBackend.create_repository = _create_repository_with_grant

moto_api_urls.url_paths["{0}/moto-api/static/ecr/image-state"] = _set_image_state
moto_api_urls.url_paths["{0}/moto-api/static/ecr/replication-status"] = _set_replication_status
# --------------------------------------------------------------------------------- end of issue 26 block

from moto.server import main  # noqa: E402  (after the patches, so every backend sees them)

if __name__ == "__main__":
    main(sys.argv[1:])
