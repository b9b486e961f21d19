"""How hfx's help pages read: placeholders (FILE, HOST:PORT) instead of Python types, ``-h`` everywhere.

Typer shows each option's Python type in its help (``<bool>``, ``<list[str]>``, ``<str>``) and required
arguments as ``{input}``. :func:`apply_help_style` gives every command of an app the classes below, which
show a placeholder instead: the option's own ``metavar`` when it has one, otherwise a name for its kind of
value (``TEXT``, ``N``, ``NUMBER``, ``PATH``, the choices); flags show none.
"""

from __future__ import annotations

import copy
import importlib
import sys
import types
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.models import DefaultPlaceholder

#: ``-h`` as well as ``--help`` on every command (click contexts pass this on to their subcommands).
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}

_TYPE_PLACEHOLDERS = {
    "integer": "N",
    "integer range": "N",
    "int": "N",  # Typer < 0.29 names its own types int, int range, str
    "int range": "N",
    "float": "NUMBER",
    "float range": "NUMBER",
    "text": "TEXT",
    "str": "TEXT",
    "path": "PATH",
    "boolean": "BOOL",
}


class _Argument(TyperArgument):
    """A positional argument shown as its placeholder: ``FILE`` (required), ``[FILE]``, ``TEXT...``.

    Typer 0.29 asks ``display_type_rich``, ``_rich_display_name`` and ``_usage_display_name``; Typer 0.24-0.28 ask
    ``make_metavar`` (usage line) and the argument's type (``<str>`` column, see :func:`_no_type_column`).
    """

    def display_type_rich(self, ctx: Any) -> str | None:
        return None  # the name column already shows the placeholder

    def _rich_display_name(self) -> str:
        return str(self.metavar) + ("..." if self.nargs != 1 else "")

    def _usage_display_name(self) -> str:
        name = str(self.metavar) if self.required else f"[{self.metavar}]"
        return name + ("..." if self.nargs != 1 else "")

    def make_metavar(self, ctx: Any, *, usage: bool = False) -> str:
        return self._usage_display_name() if usage else str(self.metavar)


def _no_metavar(*args: Any, **kwargs: Any) -> str:
    return ""


def _no_type_column(param: TyperArgument) -> None:
    """Typer < 0.29 shows an argument's type (``<str>``) next to its name: give the argument a copy of its type
    that names none (the copy parses values exactly as the original)."""
    if hasattr(TyperArgument, "display_type_rich"):
        return  # Typer 0.29 asks the argument itself (_Argument.display_type_rich)
    param.type = copy.copy(param.type)
    setattr(param.type, "get_metavar", _no_metavar)  # noqa: B010 (an instance attribute, not the class's method)


def _placeholder(param: Any) -> str:
    desc = getattr(param, "type_descriptor", None)  # Typer >= 0.24; older ones keep click's ParamType in .type
    if desc is not None:
        if desc.is_choice:
            return "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices) + "]"
        if desc.is_path:
            return "PATH"
        annotation = desc.annotation
        if desc.is_list:
            annotation = getattr(annotation, "__args__", (str,))[0]
        name = {int: "integer", float: "float", str: "text", bool: "boolean"}.get(annotation, "")
        return _TYPE_PLACEHOLDERS.get(name, "VALUE")
    choices = getattr(param.type, "choices", None)
    if choices:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in choices) + "]"
    return _TYPE_PLACEHOLDERS.get(param.type.name, "VALUE")


def _tidy(params: list[Any]) -> None:
    """Give each parameter its placeholder (idempotent: runs whenever the command lists its parameters)."""
    for param in params:
        if isinstance(param, _Argument):
            continue  # already tidied
        if isinstance(param, TyperArgument):
            if param.metavar is None:
                param.metavar = (param.name or "value").upper()
            # Typer builds its arguments itself and has no hook for their class; _Argument only changes how
            # the argument is displayed (it adds no state), so re-classing the instance is safe.
            param.__class__ = _Argument
            _no_type_column(param)
        elif isinstance(param, TyperOption) and param.metavar is None:
            param.metavar = "" if (param.is_flag or param.count) else _placeholder(param)


#: What ``typer.rich_utils`` (Typer's help renderer) imports for what hfx never shows: help written in Markdown
#: (``rich_markup_mode="markdown"``) and pretty tracebacks (``pretty_exceptions_enable=False``). Importing them
#: (markdown-it, pygments, attrs) would cost about a third of ``hfx --help``.
_UNUSED_BY_HELP = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


class _Deferred(type):
    """A stand-in for a class whose module is not imported yet: calling it or reading an attribute imports the
    module and forwards to the real class (and it is a class, so ``Markdown | Text`` annotations still work)."""

    _module: str

    def _real(cls) -> Any:
        return getattr(importlib.import_module(cls._module), cls.__name__)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls._real(), name)


def load_rich_help() -> None:
    """Import ``typer.rich_utils`` with stand-ins (:class:`_Deferred`) for the classes it imports from the
    modules in :data:`_UNUSED_BY_HELP`: those modules are imported only if one of the classes is used. The
    stand-in modules are in ``sys.modules`` only during this import; any later import gets the real ones."""
    if "typer.rich_utils" in sys.modules:
        return
    placed = {}
    for module, name in _UNUSED_BY_HELP.items():
        if module not in sys.modules:
            placed[module] = stand_in = types.ModuleType(module, "hfx.cli.help: stand-in while typer.rich_utils loads")
            setattr(stand_in, name, _Deferred(name, (), {"_module": module}))
            sys.modules[module] = stand_in
    try:
        importlib.import_module("typer.rich_utils")
    finally:
        for module, stand_in in placed.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]


class _PlaceholderHelp:
    """Help that shows placeholders, never Python types: mixed in before Typer's command or group class."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        load_rich_help()
        super().format_help(ctx, formatter)  # type: ignore[misc]  # a mixin: the next class is Typer's

    def get_params(self, ctx: Any) -> list[Any]:
        # includes --help and Typer's completion options
        params = super().get_params(ctx)  # type: ignore[misc]
        _tidy(params)
        return params


class HfxCommand(_PlaceholderHelp, TyperCommand):
    """A command whose help shows placeholders, never Python types."""


class HfxGroup(_PlaceholderHelp, TyperGroup):
    """A command group whose help shows placeholders, never Python types."""


def _default(cls: Any, base: type) -> bool:
    return cls is None or cls is base or isinstance(cls, DefaultPlaceholder)


def apply_help_style(app: typer.Typer) -> None:
    """Give every command and group of ``app`` (recursively) the classes above, unless one chose its own."""
    if _default(app.info.cls, TyperGroup):
        app.info.cls = HfxGroup
    for command in app.registered_commands:
        if _default(command.cls, TyperCommand):
            command.cls = HfxCommand
    for group in app.registered_groups:
        if _default(group.cls, TyperGroup):
            group.cls = HfxGroup
        if group.typer_instance is not None:
            apply_help_style(group.typer_instance)
