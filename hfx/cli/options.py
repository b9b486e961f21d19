"""Options (and their choices) that several commands take, declared once."""

from __future__ import annotations

from enum import Enum

import typer


class TextJson(str, Enum):
    """``--format`` of the commands that print text for people or one JSON document."""

    text = "text"
    json = "json"


class InvalidNames(str, Enum):
    """What to do with names CLU would reject."""

    error = "error"
    rewrite = "rewrite"


#: Options shared by every command that maps CLU names to an HF hierarchy.
DelimiterOpt = typer.Option(
    "---", "--delimiter", "-d", metavar="TEXT", help="Intent hierarchy delimiter in CLU names; '' = none."
)
TestTagOpt = typer.Option(
    ["Test"], "--test-tag", metavar="TAG", help="HF tag(s) that mean CLU's Test dataset (repeatable)."
)
