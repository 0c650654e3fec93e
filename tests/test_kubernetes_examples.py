"""examples/kubernetes, linted: every Kubernetes object and pod spec in it (the hook template's
ConfigMap, the job pod it makes, the ARC runner pod, GitLab's build pod patch) against
Kubernetes' own OpenAPI schemas (kubernetes-validate, strict: an unknown field is an error);
the Helm values against the keys of the charts they are written for; the workflow with
actionlint and GitHub's workflow schema; and the names that tie the files together."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.test_workflows import ROOT, _passes, actionlint, check_jsonschema, env

__all__ = ["env"]  # the fixture, shared with test_workflows

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

HERE = ROOT / "examples" / "kubernetes"
VERSION = kubernetes_validate.latest_version()
# The top-level keys of the gha-runner-scale-set chart 0.14.2's values.yaml (set or commented
# out there), from actions/actions-runner-controller's charts/gha-runner-scale-set.
ARC_KEYS = {
    "annotations", "containerMode", "controllerServiceAccount", "githubConfigSecret",
    "githubConfigUrl", "githubServerTLS", "keyVault", "labels", "listenerMetrics",
    "listenerTemplate", "maxRunners", "minRunners", "namespaceOverride", "proxy",
    "resourceMeta", "runnerGroup", "runnerScaleSetName", "scaleSetLabels", "template",
}  # fmt: skip
IMAGE = "ghcr.io/OWNER/ml-report:1"


def load(name: str) -> Any:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


def pod(spec: dict[str, Any], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "example", **(metadata or {})},
        "spec": spec,
    }


def valid(resource: dict[str, Any]) -> None:
    kubernetes_validate.validate(resource, VERSION, strict=True)


def job_pod(hook: dict[str, Any]) -> dict[str, Any]:
    """The pod the hook template makes of a job: its "$job" container is the job's, which
    names its image (the workflow's container)."""
    template = yaml.safe_load(hook["data"]["extension"])
    spec = copy.deepcopy(template["spec"])
    for container in spec["containers"]:
        if container["name"] == "$job":
            container.update(name="job", image=IMAGE)
    return pod(spec, template.get("metadata"))


def test_the_hook_template_and_the_pod_it_makes_are_valid() -> None:
    hook = load("gpu-job-hook.yaml")
    valid(hook)
    made = job_pod(hook)
    valid(made)
    (job,) = made["spec"]["containers"]
    assert job["resources"]["limits"]["nvidia.com/gpu"] == 1


def test_the_runner_scale_set() -> None:
    values = load("arc-gpu-runners.values.yaml")
    assert set(values) <= ARC_KEYS, set(values) - ARC_KEYS
    assert "containerMode" not in values  # the chart ignores a customised template with it
    valid(pod(values["template"]["spec"]))
    (runner,) = values["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in runner["env"]}
    assert env["ACTIONS_RUNNER_REQUIRE_JOB_CONTAINER"] == "true"
    mounts = {m["name"]: m for m in runner["volumeMounts"]}
    hook = load("gpu-job-hook.yaml")
    assert mounts["gpu-job-hook"]["mountPath"] == env["ACTIONS_RUNNER_CONTAINER_HOOK_TEMPLATE"]
    assert mounts["gpu-job-hook"]["subPath"] in hook["data"]
    volumes = {v["name"]: v for v in values["template"]["spec"]["volumes"]}
    assert volumes["gpu-job-hook"]["configMap"]["name"] == hook["metadata"]["name"]
    workflow = load("train-and-report.yml")
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == values["runnerScaleSetName"]
    assert job["container"]["image"] == IMAGE


def test_the_workflow_passes_actionlint_and_the_schema(env: dict[str, str]) -> None:
    path = HERE / "train-and-report.yml"
    _passes(check_jsonschema(env, "vendor.github-workflows", path))
    _passes(actionlint(env, path))


def test_gitlabs_build_pod() -> None:
    values = load("gitlab-runner.values.yaml")
    config = tomllib.loads(values["runners"]["config"])
    (runner,) = config["runners"]
    assert "FF_USE_ADVANCED_POD_SPEC_CONFIGURATION=true" in runner["environment"]
    kube = runner["kubernetes"]
    assert kube["image"] == IMAGE
    (patch,) = kube["pod_spec"]
    assert patch["patch_type"] == "strategic"
    patched = yaml.safe_load(patch["patch"])
    (build,) = patched["containers"]
    assert build["name"] == "build"  # the executor's build container
    build["image"] = kube["image"]
    spec = {
        **patched,
        "nodeSelector": kube["node_selector"],
        "tolerations": [
            {"key": k, "operator": "Exists", "effect": e}
            for k, e in kube["node_tolerations"].items()
        ],
    }
    valid(pod(spec))


def test_the_check_can_fail() -> None:
    hook = load("gpu-job-hook.yaml")
    broken = job_pod(hook)
    broken["spec"]["containers"][0]["resourcez"] = broken["spec"]["containers"][0].pop("resources")
    with pytest.raises(kubernetes_validate.ValidationError, match="resourcez"):
        valid(broken)
    bad = pod({"containers": [{"name": "runner", "image": "x", "env": [{"value": "1"}]}]})
    with pytest.raises(kubernetes_validate.ValidationError, match="name"):
        valid(bad)


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("*.y*ml")))
def test_the_readme_names_every_file(name: str) -> None:
    assert f"`{name}`" in (HERE / "README.md").read_text(encoding="utf-8")


def test_files_are_yaml() -> None:
    assert {p.name for p in HERE.iterdir()} == {
        "README.md",
        "arc-gpu-runners.values.yaml",
        "gpu-job-hook.yaml",
        "gitlab-runner.values.yaml",
        "train-and-report.yml",
    }
    for path in HERE.glob("*.y*ml"):
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path
