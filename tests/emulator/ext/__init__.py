"""Extensions of moto's backends and responses, one module per service.

Each module exposes ``install()``, which patches moto in this process and
registers its control routes; ``install_all()`` runs them all once.
"""
import importlib

EXTENSIONS = ("dynamodb_global", "codecommit_files", "codepipeline", "cloudformation", "cloudwatch_dashboard",
              "cloudwatch_alarms", "globalaccelerator", "paging", "ecr_images", "codebuild_run", "ecs_deploy",
              "application", "bucket_policy", "tagging")
_installed = False


def install_all():
    global _installed
    if _installed:
        return
    for name in EXTENSIONS:
        try:
            module = importlib.import_module("%s.%s" % (__name__, name))
        except ModuleNotFoundError as exc:
            if exc.name == "%s.%s" % (__name__, name):
                continue  # not written yet
            raise
        module.install()
    _installed = True
