"""The findings of ``hfx validate``: the rule table (code -> severity, title, hint) and the list a check fills.

Their own module so the rule modules (:mod:`hfx.ops.validate_rules_hf`, :mod:`hfx.ops.validate_rules_clu`) and
:mod:`hfx.ops.validate`, which runs them, all import it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    severity: Severity
    title: str
    hint: str


#: Every finding code hfx validate can emit. Codes are stable: never renumbered, only added.
RULES: dict[str, Rule] = {
    # -- reading ----------------------------------------------------------------------------------
    "IO001": Rule("error", "unreadable input", "Check that the file exists and is UTF-8 JSON holding an object."),
    # -- HF JSON ----------------------------------------------------------------------------------
    "HF000": Rule("error", "schema violation", "Fix the value so it matches the HF JSON schema."),
    "HF001": Rule("error", "duplicate id", "Give every intent, example, entity, entity value and tag its own id."),
    "HF002": Rule("error", "unknown parent intent", "Point parent_intent_id at an existing intent id or remove it."),
    "HF003": Rule("error", "cycle in the intent hierarchy", "Break the cycle: one of these intents must be a root."),
    "HF004": Rule("error", "unknown intent in example", "Point intent_id at an existing intent, or remove it."),
    "HF005": Rule("error", "unknown entity in annotation", "Declare the entity or fix entity_id / name."),
    "HF006": Rule("error", "unknown entity value", "Point value_id at one of the entity's values or remove it."),
    "HF007": Rule("error", "unknown tag", "Declare the tag in the top-level tags list or remove the reference."),
    "HF008": Rule("error", "span out of range", "Spans are UTF-8 byte offsets with from <= to <= byte length."),
    "HF009": Rule(
        "error",
        "span cuts a character",
        "Spans count UTF-8 bytes; move the offset to a character boundary (e.g. the 2 bytes of ©).",
    ),
    "HF010": Rule(
        "error",
        "span does not match the annotation text",
        "Make text equal to the bytes [from_character, to_character) of the example text.",
    ),
    "HF011": Rule(
        "warning",
        "same text labelled with different intents",
        "Keep one label per text, or make the texts differ; contradictory labels confuse training.",
    ),
    "HF012": Rule("warning", "empty intent", "Add examples, or remove the intent (it has no children either)."),
    "HF013": Rule("error", "two intents with the same full path", "Rename one of the sibling intents."),
    "HF014": Rule("warning", "annotation names another entity", "entity_id and name disagree; fix one of them."),
    "HF015": Rule(
        "error",
        "parts do not add up to the text",
        "The text parts plus entity texts of parts must concatenate to the example text.",
    ),
    "HF016": Rule(
        "warning",
        "annotation value is not a value of the entity",
        "Use one of the entity's key_value values, or add the value to the entity.",
    ),
    "HF099": Rule("error", "the HF reader rejects the file", "Fix the reported value."),
    # -- CLU project files ------------------------------------------------------------------------
    "CLU000": Rule("error", "schema violation", "Fix the value so it matches the CLU project file schema."),
    "CLU001": Rule("error", "undeclared intent", "Add the intent to assets.intents or fix the utterance's intent."),
    "CLU002": Rule("error", "undeclared entity", "Add the entity to assets.entities or fix the label category."),
    "CLU003": Rule("error", "label out of range", "offset and length count UTF-16 code units inside the text."),
    "CLU004": Rule(
        "error", "label cuts a character", "UTF-16 offsets must not split a surrogate pair (emoji count as 2 units)."
    ),
    "CLU005": Rule("error", "duplicate utterance", "The same text appears twice for one language; keep one."),
    "CLU006": Rule(
        "error", "CLU service limit exceeded", "See the CLU service limits; split the project or shorten the data."
    ),
    "CLU007": Rule(
        "error", "invalid CLU name", "Intent and entity names: at most 50 characters, none of : $ & % * ( ) + ~ # / ?"
    ),
    "CLU008": Rule("error", "declared twice", "Each intent / entity category may be declared once."),
    "CLU009": Rule("warning", "unknown language", "Use one of CLU's language codes (en-us, fr, ...)."),
    "CLU010": Rule("error", "unknown dataset", "dataset must be Train or Test."),
    "CLU011": Rule(
        "error",
        "list key used twice",
        "Each sublist of a list entity needs its own listKey; merge the synonyms into one sublist.",
    ),
    "CLU012": Rule("error", "invalid project name", "Project names: 1-50 letters, digits, '_', '.' or '-'."),
    "CLU099": Rule("error", "the CLU reader rejects the file", "Fix the reported value."),
    # -- an HF workspace checked against CLU's rules (--target clu) ---------------------------------
    "CLU101": Rule(
        "error",
        "name longer than 50 characters in CLU",
        "Shorten the intent path (CLU names are "
        "the full path joined by the delimiter), or let `hfx convert --invalid-names rewrite` do it.",
    ),
    "CLU102": Rule("error", "character CLU forbids", "Remove : $ & % * ( ) + ~ # / ? from the name."),
    "CLU103": Rule(
        "error",
        "name contains the delimiter",
        "The name would split into a hierarchy on the way back; rename it or choose another --delimiter.",
    ),
    "CLU104": Rule("error", "two intents get the same CLU name", "Rename one of them."),
    "CLU105": Rule("error", "CLU service limit exceeded", "See the CLU service limits."),
    "CLU106": Rule("error", "utterance longer than CLU allows", "CLU utterances hold at most 500 characters."),
    "CLU107": Rule("warning", "reader normalized or lost data", "See the message; `hfx convert` reports the same."),
    "CLU108": Rule(
        "error",
        "hf-to-clu refuses the workspace",
        "The message starts with the conversion report's code; see that code in the conversion report codes.",
    ),
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    file: str
    pointer: str
    message: str
    hint: str

    def to_json(self) -> dict[str, str]:
        """The fields by name, in their order (every field is a string: no conversion to make)."""
        return dict(vars(self))


class Findings(list[Finding]):
    """Findings of one file; ``add`` fills severity and hint from :data:`RULES`."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def add(self, code: str, ptr: str, message: str, *, severity: Severity | None = None) -> None:
        rule = RULES[code]
        self.append(Finding(code, severity or rule.severity, self.source, ptr, message, rule.hint))
