"""The loss report: what a conversion could not carry, changed, or refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "loss", "normalized"]


@dataclass(frozen=True)
class ReportItem:
    severity: Severity
    code: str
    pointer: str
    message: str
    #: What the item is about (e.g. the name a rule refuses), for callers that word their own message; not
    #: part of the report's JSON.
    subject: str | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, str]:
        return {"severity": self.severity, "code": self.code, "pointer": self.pointer, "message": self.message}


class Report(list[ReportItem]):
    """A list of :class:`ReportItem` with helpers."""

    def add(self, severity: Severity, code: str, pointer: str, message: str, subject: str | None = None) -> None:
        self.append(ReportItem(severity, code, pointer, message, subject))

    def error(self, code: str, pointer: str, message: str, subject: str | None = None) -> None:
        self.add("error", code, pointer, message, subject)

    def loss(self, code: str, pointer: str, message: str) -> None:
        self.add("loss", code, pointer, message)

    def normalized(self, code: str, pointer: str, message: str) -> None:
        self.add("normalized", code, pointer, message)

    @property
    def errors(self) -> list[ReportItem]:
        return [i for i in self if i.severity == "error"]

    @property
    def losses(self) -> list[ReportItem]:
        return [i for i in self if i.severity == "loss"]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self:
            out[item.code] = out.get(item.code, 0) + 1
        return dict(sorted(out.items()))

    def to_json(self) -> list[dict[str, str]]:
        return [i.to_json() for i in self]
