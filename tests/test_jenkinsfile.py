"""examples/jenkins/Jenkinsfile is a well-formed declarative pipeline (no Jenkins linter can be
installed here: a structural check) whose mlreport commands use commands and options that
exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click

from mlreport.cli import cli

JENKINSFILE = Path(__file__).resolve().parents[1] / "examples" / "jenkins" / "Jenkinsfile"
PAIRS = {"{": "}", "(": ")", "[": "]"}


def code_and_strings(text: str) -> tuple[str, list[str]]:
    """The Groovy code with strings and comments blanked out, and the strings."""
    code, strings, i = [], [], 0
    while i < len(text):
        if text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
            continue
        for quote in ("'''", '"""', "'", '"'):
            if text.startswith(quote, i):
                end = text.find(quote, i + len(quote))
                assert end > 0, f"unterminated string at {text[i : i + 40]!r}"
                strings.append(text[i + len(quote) : end])
                code.append(" ")
                i = end + len(quote)
                break
        else:
            code.append(text[i])
            i += 1
    return "".join(code), strings


def test_it_is_a_balanced_declarative_pipeline() -> None:
    code, _ = code_and_strings(JENKINSFILE.read_text(encoding="utf-8"))
    stack: list[str] = []
    for char in code:
        if char in PAIRS:
            stack.append(PAIRS[char])
        elif char in PAIRS.values():
            assert stack and stack.pop() == char, "unbalanced brackets"
    assert not stack, "unclosed brackets"
    assert re.match(r"\s*pipeline\s*\{", code)
    for section in ("agent", "stages", "post"):
        assert re.search(rf"\b{section}\b", code), section
    stages = re.findall(r"\bstage\s*\(\s*\)\s*\{", code)  # the names are blanked strings
    assert len(stages) >= 3
    assert code.count("steps") >= len(stages)


def mlreport_commands(strings: list[str]) -> list[list[str]]:
    commands = []
    for text in strings:
        joined = re.sub(r"\\\n\s*", " ", text)
        for line in joined.splitlines():
            line = line.strip()
            if line.startswith("mlreport "):
                words = shlex.split(re.sub(r"\$\{(\w+)(:-[^}]*)?\}|\$(\w+)", "X", line))
                commands.append(words[1:])
    return commands


def test_its_mlreport_commands_use_real_commands_and_options() -> None:
    _, strings = code_and_strings(JENKINSFILE.read_text(encoding="utf-8"))
    commands = mlreport_commands(strings)
    assert commands, "the pipeline runs mlreport"
    for words in commands:
        command = cli.commands.get(words[0])
        assert isinstance(command, click.Command), words[0]
        known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
        args = words[1 : words.index("--")] if "--" in words else words[1:]
        for word in args:
            if word.startswith("-"):
                assert word.split("=")[0] in known, f"mlreport {words[0]} has no {word}"
    stages = " ".join(" ".join(w) for w in commands)
    assert "--publish" in stages and "--gate" in stages and "s3://" not in stages  # via $DATA
