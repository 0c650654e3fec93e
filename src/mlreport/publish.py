"""Publishing a report directory: images hosted, one sticky comment, a check, the summary.

The report files already exist (``render`` wrote them before any network call), so a failure
here loses nothing: the job summary and step outputs are still written, and the error says
what to fix.  Independent requests go out together: reading the comments while the images
are uploaded, and moving the assets branch while the comment and the check are posted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click

from mlreport import redact
from mlreport.console import one_line
from mlreport.errors import ForkReadOnly, PlatformError
from mlreport.inputs.report import IMAGE_LINK, LocalReport, read_report
from mlreport.platforms import workflow
from mlreport.platforms.base import Comment, Hosted, Identity, Platform, Target
from mlreport.platforms.connect import connect
from mlreport.platforms.context import Context, PublishOptions, resolve
from mlreport.platforms.marker import defuse, has_marker, marker, truncate
from mlreport.platforms.pulls import find_pull
from mlreport.recording import Recorded, record_file


@dataclass(frozen=True)
class Published:
    comment_url: str = ""
    check_url: str = ""
    action: str = ""  # created / updated / replaced / dry run / skipped
    where: str = ""


def with_images(markdown: str, urls: Mapping[str, str] | None) -> str:
    """Point image links at their hosted URLs; with no URLs, say where the charts are."""

    def replace(match: re.Match[str]) -> str:
        alt, link = match.group(1), match.group(2)
        if urls is not None and link in urls:
            return f"![{alt}]({urls[link]})"
        if "://" in link:
            return match.group(0)
        return f"*{alt or 'Chart'}: not published here; it is in the report's artifact.*"

    return IMAGE_LINK.sub(replace, markdown)


def publish(directory: Path, options: PublishOptions, environ: Mapping[str, str]) -> Published:
    """Publish the report in *directory*; in GitHub Actions also write the job summary and
    step outputs, whatever happens after the report is read."""
    report = read_report(directory)
    in_actions = workflow.in_actions(environ)
    urls: dict[str, str] | None = None
    result = Published()
    failed = True
    try:
        context = resolve(options, environ)
        if context.token:
            redact.current().add(context.token)
        recorded = record_file(report.directory, options, environ)
        if recorded is None and options.record in ("all", "metrics"):
            click.echo("mlreport: not recorded: no commit to record it under (pass --commit)")
        if options.dry_run:
            _echo_notes(context)
            _dry_run(report, context, options, recorded)
            failed = False
            return Published(action="dry run")
        platform = connect(context, options, report.directory)
        try:
            context = find_pull(platform, context)
            _echo_notes(context)
            result, urls = _publish(platform, report, context, options, recorded)
        finally:
            platform.close()
        failed = False
    except ForkReadOnly as exc:
        if not options.allow_fork_skip:
            if in_actions:
                workflow.warning(str(exc))
            raise
        message = f"report not posted: {exc}"
        if in_actions:
            workflow.warning(message)
        else:
            click.echo(f"mlreport: {message}")
        result = Published(action="skipped")
        failed = False
    finally:
        if in_actions and not options.dry_run:
            _finish_actions(environ, report, urls, result, quiet=failed)
    return result


def post_only(
    directory: Path, options: PublishOptions, environ: Mapping[str, str]
) -> tuple[Published, dict[str, str] | None]:
    """The comment alone (``run --live``), and where its images are hosted: no check, no
    record, no job summary or step outputs (the final publish writes those)."""
    report = read_report(directory)
    context = resolve(options, environ)
    platform = connect(context, options, report.directory)
    try:
        context = find_pull(platform, context)
        return _publish(platform, report, context, options, None, quiet=True)
    finally:
        platform.close()


def _echo_notes(context: Context) -> None:
    for note in context.notes:
        click.echo(f"mlreport: {one_line(note)}")


def body_of(report: LocalReport, report_id: str, urls: Mapping[str, str] | None) -> str:
    """The comment: the marker, then report.md -- in which nothing can pass for a marker,
    and no secret of this invocation is left -- its images linked where they are hosted."""
    markdown = redact.current().text(defuse(with_images(report.markdown, urls)))
    return f"{marker(report_id)}\n{markdown}"


def _publish(
    platform: Platform,
    report: LocalReport,
    context: Context,
    options: PublishOptions,
    recorded: Recorded | None,
    quiet: bool = False,
) -> tuple[Published, dict[str, str] | None]:
    target = context.target
    images = report.images if options.images else []
    files = [recorded.file] if recorded else []
    if files and options.records is not None and platform.name != "local":
        from mlreport.platforms.local import RecordsFolder

        RecordsFolder(options.records).store(files)  # --records: a folder, not the platform
        files = []
    with ThreadPoolExecutor(3) as pool:  # one round: these three do not wait for each other
        hosting = pool.submit(platform.host_images, images, files)
        listing = pool.submit(platform.list_comments, target) if options.mode != "new" else None
        me: Identity = pool.submit(platform.identity).result()
        hosted: Hosted = hosting.result()
        existing = _ours(listing.result(), me, options) if listing else []
    urls = hosted.urls if options.images else None
    tag = marker(options.report_id)
    notice = (
        f"> ✂️ This report was cut to fit {platform.name}'s comment size limit. The whole "
        "report is in the job summary and the report artifact."
    )
    body = truncate(body_of(report, options.report_id, urls), platform.max_body, notice)
    with ThreadPoolExecutor(3) as pool:
        moving = pool.submit(hosted.finish)
        posting = pool.submit(_post, platform, target, body, existing, me, options)
        checking = (
            pool.submit(
                platform.report_check,
                target,
                options.check_name,
                report.status != "fail",
                report.summary or report.title,
                body.replace(tag, "", 1),
            )
            if options.check
            else None
        )
        moving.result()
        comment, action = posting.result()
        check_url = checking.result() if checking else ""
    where = target.describe(platform.name)
    if not quiet:
        click.echo(f"mlreport: {action} the report on {where}: {comment.url}")
    if recorded is not None:
        click.echo(f"mlreport: recorded {one_line(recorded.describe())}")
    if check_url:
        click.echo(f"mlreport: check: {check_url}")
    return Published(comment.url, check_url, action, where), urls


def _ours(comments: list[Comment], me: Identity, options: PublishOptions) -> list[Comment]:
    """The comments that are this report's: the marker first, and written by the publisher.
    Anyone else's comment is never edited or deleted, whatever it contains."""
    return [c for c in comments if me.owns(c) and has_marker(c.body, options.report_id)]


def _post(
    platform: Platform,
    target: Target,
    body: str,
    existing: list[Comment],
    me: Identity,
    options: PublishOptions,
) -> tuple[Comment, str]:
    if options.mode == "update" and existing:
        kept = platform.update_comment(target, existing[0], body)
        for extra in existing[1:]:
            platform.delete_comment(target, extra)
        return kept, "updated"
    if options.mode == "replace":
        for old in existing:
            platform.delete_comment(target, old)
    created = platform.create_comment(target, body)
    action = "replaced" if options.mode == "replace" and existing else "created"
    if options.mode == "new":
        return created, action
    return _settle(platform, target, created, body, me, options), action


def _settle(
    platform: Platform,
    target: Target,
    created: Comment,
    body: str,
    me: Identity,
    options: PublishOptions,
) -> Comment:
    """Two publishers may have each created a comment: the oldest one stays (with the
    newest body), every later one of ours goes, whichever publisher gets here first."""
    ours = [c for c in _ours(platform.list_comments(target), me, options) if c.id != created.id]
    ours.append(created)
    if len(ours) <= 1:
        return created
    keep = min(ours, key=lambda c: _order(c.id))
    if keep.id != created.id:
        keep = platform.update_comment(target, keep, body)
    for other in ours:
        if other.id != keep.id:
            platform.delete_comment(target, other)
    return keep


def _order(comment_id: str) -> tuple[int, str]:
    tail = comment_id.rsplit("/", 1)[-1]
    return (int(tail), comment_id) if tail.isdigit() else (0, comment_id)


def _finish_actions(
    environ: Mapping[str, str],
    report: LocalReport,
    urls: dict[str, str] | None,
    result: Published,
    *,
    quiet: bool,
) -> None:
    """The job summary and step outputs, whether or not the comment went out. A file that
    cannot be written is a warning and, unless publishing already failed (*quiet*: that
    error is the one to see), an error of its own (exit 3)."""
    notice = "> ✂️ The report was cut to fit the 1 MiB job summary limit; see the artifact."
    markdown = defuse(with_images(report.markdown, urls))
    summary = _fit_bytes(markdown, workflow.SUMMARY_LIMIT, notice)
    problems = [
        problem
        for problem in (
            _attempt(lambda: workflow.append_summary(environ, summary)),
            _attempt(
                lambda: workflow.set_outputs(
                    environ,
                    {
                        "report-path": str(report.directory / "report.md"),
                        "comment-url": result.comment_url,
                        "status": report.status,
                        "gates-failed": str(report.gates_failed),
                        "gates-skipped": str(report.gates_skipped),
                    },
                )
            ),
        )
        if problem is not None
    ]
    if problems and not quiet:
        raise problems[0]


def _attempt(write: Callable[[], object]) -> PlatformError | None:
    """Run *write*; a failure is a warning annotation, and returned."""
    try:
        write()
    except PlatformError as exc:
        workflow.warning(str(exc))
        return exc
    return None


def _fit_bytes(text: str, limit: int, notice: str) -> str:
    size = len(text.encode("utf-8"))
    while size > limit:
        text = truncate(text, int(len(text) * limit / size) - 256, notice)
        size = len(text.encode("utf-8"))
    return text


def _dry_run(
    report: LocalReport, context: Context, options: PublishOptions, recorded: Recorded | None
) -> None:
    """What would be sent. Images that would be uploaded keep their links to the files
    here (publishing points them at the hosted copies); without images, the body says so."""
    images = report.images if options.images else []
    body = body_of(report, options.report_id, {i.path: i.path for i in images} if images else None)
    where = context.target.describe(context.platform)
    click.echo(f"mlreport: dry run: would publish to {context.platform} {context.repo} {where}")
    click.echo(
        f"  mode {options.mode}, id {options.report_id}, token "
        f"{'set' if context.token else 'MISSING'}, API {context.api_url or '-'}"
    )
    for image in images:
        click.echo(
            f"  would upload image {one_line(image.path)} ({len(image.data):,} bytes, "
            f"sha256 {image.sha256[:12]})"
        )
    if recorded is not None:
        size = len(recorded.file.data)
        click.echo(f"  would record {one_line(recorded.describe())}, {size:,} bytes")
    if options.check:
        click.echo(f"  check run {options.check_name!r}: {report.status}")
    click.echo(f"  comment body ({len(body):,} characters):\n")
    click.echo(body)
