"""A buildspec broken for the secondary region (it pushes to a repository that does not exist there): the
converge fails, and what it prints names the failing build line, read from the pipeline's failed action.

The build really runs in the emulator's CodeBuild (tests/emulator/ext/codebuild_run.py): ``docker push`` to a
repository the registry does not have fails as Docker does against ECR ("name unknown: The repository with name
... does not exist in the registry"), CodeBuild fails the build at that command (POST_BUILD, "COMMAND_EXECUTION_
ERROR: Error while executing command: ... Reason: exit status 1") and the pipeline's Build action fails with it.
"""
import os
import re

from tests.integration.harness import REPO_ROOT
from tests.integration.test_site_playbook import SITE, start_site

TEMPLATE = os.path.join(REPO_ROOT, "roles", "pipeline_cross_region", "templates", "buildspec_prod.yml.j2")


def test_a_buildspec_pushing_to_a_wrong_secondary_repository_fails_the_converge_naming_the_line(tmp_path_factory):
    site = start_site(tmp_path_factory, "broken-buildspec")
    try:
        with open(TEMPLATE) as handle:
            template = handle.read()
        broken = template.replace("SECONDARY_{{ loop.index }}_REPOSITORY_URI: {{ target.repository_uri | to_json }}",
                                  "SECONDARY_{{ loop.index }}_REPOSITORY_URI: {{ (target.repository_uri ~ '-wrong')"
                                  " | to_json }}")
        assert broken != template
        path = os.path.join(str(site.tmp), "broken_buildspec.yml.j2")
        with open(path, "w") as handle:
            handle.write(broken)
        run = site.play(SITE, extra_vars={"pipeline_cross_region_buildspec_template": path},
                        extra_args=("--skip-tags", "readiness"))
        assert run.rc != 0, run
        text = re.sub(r"\s+", " ", run.stdout)
        # The failed action and the failing line of the build, as the pipeline reports them (CodePipeline's
        # action error carries CodeBuild's phase, code and the command that failed).
        for pipeline in ("CorePipeline-mm-primary-region", "LikePipeline-mm-primary-region"):
            assert "pipeline %s ended Failed: Build_Docker_Container/Build_Docker_Container" % pipeline in text, run
        assert 'Phase: POST_BUILD, Code: COMMAND_EXECUTION_ERROR' in text, run
        assert 'Error while executing command: docker push "$SECONDARY_1_REPOSITORY_URI:$IMAGE_TAG"' in text, run
        # The cause is in the build's log (CloudWatch Logs), as on AWS: the repository does not exist.
        codebuild, logs = site.client("codebuild"), site.client("logs")
        build_id = codebuild.list_builds_for_project(projectName="CoreServiceBuild-mm-primary-region")["ids"][0]
        build = codebuild.batch_get_builds(ids=[build_id])["builds"][0]
        log = "\n".join(e["message"] for e in logs.get_log_events(
            logGroupName=build["logs"]["groupName"], logStreamName=build["logs"]["streamName"])["events"])
        assert "-wrong" in log and "does not exist" in log, log[-3000:]
    finally:
        site.stop()
