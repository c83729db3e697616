"""The buildspec the pipeline_cross_region role writes, run for real by the emulator's CodeBuild (run mode) on
the two kinds of build image: the workshop's aws/codebuild/docker:17.09.0 (AWS CLI v1 before 1.17.10: no
``ecr get-login-password``) and aws/codebuild/standard:7.0 (AWS CLI v2: no ``ecr get-login``).

The emulator's stand-ins answer as the CLI of the project's image does (tests/emulator/ext/codebuild_run.py,
BUILD_IMAGES; AWS CLI v2 migration guide: "aws ecr get-login ... removed"; ECR user guide, registry
authentication: get-login-password needs AWS CLI v1.17.10 or later).
"""
from tests.integration.test_site_playbook import PIPELINES, PRIMARY, REPOSITORIES, SITE, start_site

SECONDARY = "us-east-1"
PROJECTS = ["CoreServiceBuild-mm-primary-region", "LikeServiceBuild-mm-primary-region"]
FALLBACK = "This AWS CLI has no ecr get-login-password"


# One converge for both images: the Core service's project keeps the workshop's image (CLI v1), the Like service's
# is given the current standard image (CLI v2); each pipeline is judged by its own project's image.
IMAGES = {PROJECTS[0]: ("aws/codebuild/docker:17.09.0", 1), PROJECTS[1]: ("aws/codebuild/standard:7.0", 2)}


def test_a_converge_builds_pushes_and_deploys_to_the_secondary_on_cli_v1_and_v2_images(tmp_path_factory):
    site = start_site(tmp_path_factory, "login")
    try:
        codebuild = site.client("codebuild")
        for project, (image, _) in IMAGES.items():  # the fixture's projects use the workshop's image; another: same project
            current = codebuild.batch_get_projects(names=[project])["projects"][0]
            if current["environment"]["image"] != image:
                codebuild.delete_project(name=project)
                codebuild.create_project(name=project, source=current["source"], artifacts=current["artifacts"],
                                         serviceRole=current["serviceRole"],
                                         environment=dict(current["environment"], image=image))
        # The readiness report is not this test's subject (its HTTP comparison of / is issue 13's readiness part):
        # the converge's builds, pushes and deploys are.
        run = site.play(SITE, extra_args=("--skip-tags", "readiness"))
        assert run.rc == 0, run

        outputs = {o["OutputKey"]: o["OutputValue"] for o in site.client("cloudformation", SECONDARY).describe_stacks(
            StackName="mm-secondary-region")["Stacks"][0]["Outputs"]}
        secondary_repos = [outputs["SecondaryMythicalServiceEcrRepo"], outputs["SecondaryLikeServiceEcrRepo"]]
        logs = site.client("logs")
        ecr = site.client("ecr", SECONDARY)
        ecs = site.client("ecs", SECONDARY)
        for pipeline, repository, project, secondary_repo, service in zip(
                PIPELINES, REPOSITORIES, PROJECTS, secondary_repos,
                [outputs["CoreServiceName"], outputs["LikeServiceName"]]):
            image, cli = IMAGES[project]
            head = site.client("codecommit").get_branch(repositoryName=repository, branchName="master")[
                "branch"]["commitId"]
            execution = site.client("codepipeline").list_pipeline_executions(pipelineName=pipeline)[
                "pipelineExecutionSummaries"][0]
            assert execution["status"] == "Succeeded", execution
            assert [s["revisionId"] for s in execution["sourceRevisions"]] == [head]

            build_id = codebuild.list_builds_for_project(projectName=project)["ids"][0]  # the newest
            build = codebuild.batch_get_builds(ids=[build_id])["builds"][0]
            assert build["buildStatus"] == "SUCCEEDED" and build["environment"]["image"] == image
            assert build["resolvedSourceVersion"] == head
            lines = [e["message"].strip() for e in logs.get_log_events(
                logGroupName=build["logs"]["groupName"], logStreamName=build["logs"]["streamName"])["events"]]
            text = "\n".join(lines)
            # what the commands printed (the log also echoes each command, the function's text included)
            fallbacks = sum(line.startswith(FALLBACK) for line in lines)
            assert fallbacks == (2 if cli == 1 else 0), text  # v1 falls back for both registries, v2 never
            assert text.count("Login Succeeded") == 2, text

            # the image is in the secondary region's repository and the secondary service runs it
            name = secondary_repo.split("/", 1)[1]
            tags = [t for i in ecr.describe_images(repositoryName=name)["imageDetails"] for t in i.get("imageTags", [])]
            assert head[:7] in tags
            running = ecs.describe_services(cluster=outputs["EcsClusterName"], services=[service])["services"][0]
            definition = ecs.describe_task_definition(taskDefinition=running["taskDefinition"])["taskDefinition"]
            assert [c["image"] for c in definition["containerDefinitions"]] == ["%s:%s" % (secondary_repo, head[:7])]
            assert running["runningCount"] == running["desiredCount"] == 1
    finally:
        site.stop()
