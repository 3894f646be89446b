"""moto's server, with one validation lifted (the only change to moto the tests make).

moto 5.2.1 accepts a registry policy only when every action is ecr:CreateRepository or
ecr:ReplicateImage: the V1 scope's rule. Since December 2024 registries use scope V2, whose registry
policy may hold any ECR action (ECR User Guide, "Private registry permissions in Amazon ECR"), and
the tests need registry policies that deny or allow pulls. Everything else is moto as installed.
"""
import sys

from moto.ecr.models import ECRBackend


def _any_ecr_action(self, policy_text):  # V2: any ECR action may stand in a registry policy
    return None


ECRBackend._validate_registry_policy_action = _any_ecr_action

from moto.server import main  # noqa: E402  (after the patch, so every backend sees it)

if __name__ == "__main__":
    main(sys.argv[1:])
