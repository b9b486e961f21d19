"""Options (and their choices) that several commands take, declared once."""

from __future__ import annotations

from enum import Enum
from typing import Any

import typer

# The choices of options, each a str Enum declared in one line (Enum's functional form, which type checkers read).

#: ``--format`` of the commands that print text for people or one JSON document.
TextJson = Enum("TextJson", [("text", "text"), ("json", "json")], type=str)
#: ``--format`` of the commands that also write Markdown (for pull-request comments).
TextJsonMarkdown = Enum("TextJsonMarkdown", [("text", "text"), ("json", "json"), ("markdown", "markdown")], type=str)
#: What to do with names CLU would reject.
InvalidNames = Enum("InvalidNames", [("error", "error"), ("rewrite", "rewrite")], type=str)


#: Options shared by every command that maps CLU names to an HF hierarchy.
DelimiterOpt = typer.Option(
    "---", "--delimiter", "-d", metavar="TEXT", help="Intent hierarchy delimiter in CLU names; '' = none."
)
TestTagOpt = typer.Option(
    ["Test"], "--test-tag", metavar="TAG", help="HF tag(s) that mean CLU's Test dataset (repeatable)."
)


def invalid_names_option(what: str) -> Any:
    """``--invalid-names error|rewrite`` (default: error), with the command's own help."""
    return typer.Option(InvalidNames.error, "--invalid-names", help=what)


def language_option(what: str) -> Any:
    """``--language LANG`` (default: none), with the command's own help."""
    return typer.Option(None, "--language", metavar="LANG", help=what)


def data_dir_option(what: str) -> Any:
    """``--data-dir DIR`` / ``HFX_DATA_DIR`` (default: ./hfx-data), with the command's own help."""
    return typer.Option("./hfx-data", "--data-dir", envvar="HFX_DATA_DIR", metavar="DIR", help=what)
