"""The loss report: what a conversion could not carry, changed, or refused."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "loss", "normalized"]


@dataclass(frozen=True)
class ReportItem:
    severity: Severity
    code: str
    pointer: str
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


class Report(list[ReportItem]):
    """A list of :class:`ReportItem` with helpers."""

    def add(self, severity: Severity, code: str, pointer: str, message: str) -> None:
        self.append(ReportItem(severity, code, pointer, message))

    def error(self, code: str, pointer: str, message: str) -> None:
        self.add("error", code, pointer, message)

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
