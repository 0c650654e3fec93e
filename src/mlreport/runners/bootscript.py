"""The instance's user data: ``templates/runner/user-data.sh.j2``, rendered.

Every value goes through ``shlex.quote``; the label is also checked against a narrow pattern
before it gets here. The result holds a secret (the runner's just-in-time configuration or a
registration token) and is never printed.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from mlreport import __version__, notice
from mlreport.errors import UsageError

MAX_USER_DATA = 16 * 1024  # EC2's limit on user data, before base64
DOWNLOAD_URL = "https://github.com/actions/runner/releases/download"
RUNNER_VERSION = "2.329.0"
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
VERSION = re.compile(r"\d+\.\d+\.\d+")


@dataclass(frozen=True)
class BootPlan:
    name: str
    max_lifetime: int  # minutes, the dead-man switch
    idle_timeout: int  # minutes without a job after the runner starts
    jit_config: str | None = None  # a just-in-time runner ...
    registration_token: str | None = None  # ... or an ephemeral one registered with a token
    url: str = ""  # with a token: the repository or organization URL
    labels: tuple[str, ...] = ()
    runner_version: str = RUNNER_VERSION
    gpu_check: bool = True
    runner_dir: str = "/opt/actions-runner"
    runner_user: str = "runner"
    sudoers_dir: str = "/etc/sudoers.d"
    download_url: str = DOWNLOAD_URL


def check_version(version: str) -> None:
    if not VERSION.fullmatch(version):
        raise UsageError(f"--runner-version {version!r} is not a version like {RUNNER_VERSION}")


def render(plan: BootPlan) -> str:
    import jinja2

    from mlreport._resources import templates_root

    check_version(plan.runner_version)
    if (plan.jit_config is None) == (plan.registration_token is None):
        raise ValueError("a boot plan needs a JIT config or a registration token, not both")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_root() / "runner"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        autoescape=False,  # a shell script: every value is quoted with | q instead
    )
    env.filters["q"] = lambda value: shlex.quote(str(value))
    script = env.get_template("user-data.sh.j2").render(
        version=__version__,
        jit=plan.jit_config is not None,
        name=plan.name,
        max_lifetime=plan.max_lifetime,
        idle_timeout=plan.idle_timeout,
        jit_config=plan.jit_config or "",
        registration_token=plan.registration_token or "",
        url=plan.url,
        labels=plan.labels,
        runner_version=plan.runner_version,
        gpu_check=plan.gpu_check,
        runner_dir=plan.runner_dir,
        runner_user=plan.runner_user,
        sudoers_dir=plan.sudoers_dir,
        download_url=plan.download_url,
        notice_file=notice.FILE,
    )
    size = len(script.encode())
    if size > MAX_USER_DATA:
        raise UsageError(f"the boot script is {size} bytes, over EC2's {MAX_USER_DATA}-byte limit")
    return script
