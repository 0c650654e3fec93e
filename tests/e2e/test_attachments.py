"""`--attach FILE`: your own images and Markdown in the report, uploaded with the charts —
CML's `echo '![](plot.png)' >> report.md`, without the template."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import CLI
from tests.fakes.fixtures import GITHUB_TOKEN, GITLAB_PROJECT, GITLAB_TOKEN, MR_IID, MR_SHA
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab
from tests.helpers import MARKER, fetch, image_urls, write_classification

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>\n'


def png_bytes(seed: int) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1), dpi=20)
    fig.add_subplot().plot([0, seed])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


@pytest.fixture
def project(workdir: Path) -> Path:
    write_classification(workdir / "p.csv", n=200, k=2)
    (workdir / "plots").mkdir()
    (workdir / "plots" / "roc.png").write_bytes(png_bytes(1))
    (workdir / "extra.png").write_bytes(png_bytes(2))
    (workdir / "diagram.svg").write_bytes(SVG)
    (workdir / "secret.png").write_bytes(png_bytes(3))
    (workdir / "card.md").write_text(
        "## Model card\n\nTrained on *churn-2026*; token "
        f"{os.environ.get('MLREPORT_TEST_SECRET', 'ghp_' + 'z' * 36)}.\n\n"
        "![roc](plots/roc.png) ![escape](../secret.png) ![web](https://example.com/x.png)\n",
        encoding="utf-8",
    )
    return workdir


def test_images_and_markdown_are_in_the_report(project: Path, cli: CLI) -> None:
    result = cli(
        "render", "-p", "p.csv", "--attach", "extra.png", "--attach", "diagram.svg",
        "--attach", "card.md", "-o", "out",
    )  # fmt: skip
    assert result.code == 0, result.output
    md = (project / "out" / "report.md").read_text(encoding="utf-8")
    assert "### Attachments" in md
    assert "![extra.png](attachments/1-extra.png)" in md
    assert "![diagram.svg](attachments/2-diagram.svg)" in md
    assert "## Model card" in md and "![roc](attachments/3-roc.png)" in md
    assert "![web](https://example.com/x.png)" in md  # a URL is left as it is
    assert "../secret.png" not in md.split("Notes")[0]  # outside card.md's folder: dropped
    assert "image ../secret.png not attached (outside its folder)" in md
    assert "ghp_" + "z" * 36 not in md  # a token in the Markdown is redacted
    for name in ("1-extra.png", "2-diagram.svg", "3-roc.png"):
        assert (project / "out" / "attachments" / name).is_file()
    assert not (project / "out" / "attachments" / "4-secret.png").exists()
    data = json.loads((project / "out" / "report.json").read_text())
    assert [a["kind"] for a in data["attachments"]] == ["image", "image", "markdown"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "cannot attach a .txt"),
        ("fake.png", b"<html>not an image</html>", "is not an image of the kind its name says"),
        ("missing.png", None, "attachment not found"),
    ],
)
def test_what_cannot_be_attached_is_one_line_exit_2(
    project: Path, cli: CLI, name: str, content: bytes | None, message: str
) -> None:
    if content is not None:
        (project / name).write_bytes(content)
    result = cli("render", "-p", "p.csv", "--attach", name, "--attach", "extra.png", "-o", "out")
    assert result.code == 2, result.output
    assert f"{name}: {message}" in result.err and len(result.err.strip().splitlines()) == 1
    md = (project / "out" / "report.md").read_text(encoding="utf-8")  # written all the same
    assert "![extra.png](attachments/1-extra.png)" in md and f"not attached: {name}" in md


def test_attachments_are_uploaded_with_the_charts_on_github(
    project: Path, cli: CLI, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    github.add_repo("octo/demo", permission="write")
    github.add_pull("octo/demo", 3, head_sha="f" * 40)
    for name, value in {
        "GITHUB_API_URL": github.api_url,
        "GITHUB_SERVER_URL": github.server_url,
        "GITHUB_TOKEN": GITHUB_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    result = cli(
        "render", "-p", "p.csv", "--attach", "extra.png", "--attach", "diagram.svg",
        "--attach", "card.md", "-o", "out", "--publish", "--platform", "github",
        "--repo", "octo/demo", "--pr", "3",
    )  # fmt: skip
    assert result.code == 0, result.output
    (comment,) = [c for c in github.comments("octo/demo", 3) if MARKER in c["body"]]
    urls = [u for u in image_urls(comment["body"]) if u.startswith(github.server_url)]
    assert "![web](https://example.com/x.png)" in comment["body"]
    svg = [u for u in urls if ".svg" in u]
    assert len(svg) == 1 and fetch(svg[0]) == SVG  # stored as .svg, as it is served
    assert sum(1 for u in urls if fetch(u).startswith(b"\x89PNG")) == len(urls) - 1
    assert "attachments/" not in comment["body"]  # every local link was replaced


def test_attachments_are_uploaded_on_gitlab(
    project: Path, cli: CLI, gitlab: FakeGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", GITLAB_TOKEN)
    result = cli(
        "render", "-p", "p.csv", "--attach", "card.md", "-o", "out", "--publish",
        "--platform", "gitlab", "--api-url", f"{gitlab.url}/api/v4", "--repo", GITLAB_PROJECT,
        "--pr", str(MR_IID), "--commit", MR_SHA,
    )  # fmt: skip
    assert result.code == 0, result.output
    names = [u["alt"] if "alt" in u else u.get("filename") for u in gitlab.uploads(GITLAB_PROJECT)]
    assert any("roc" in str(n) for n in names), names
