"""CLU rules: native CLU project files (CLU001-CLU099) and HF files checked against CLU (CLU101-)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hfx.errors import InputError, pointer, show
from hfx.formats import clu_names
from hfx.formats.clu_extensions import implicit_parent
from hfx.formats.clu_json import CluReadOptions, read_clu
from hfx.offsets import utf16_len
from hfx.ops.validate_rules_hf import _str, intent_paths, objects

if TYPE_CHECKING:
    from hfx.ops.validate import Findings

LIMITS = clu_names.LIMITS
MAX_PREBUILTS_PER_ENTITY = LIMITS["prebuilts_per_entity"]
MAX_SYNONYMS_PER_ENTITY = LIMITS["synonyms_per_entity"]

#: Language codes CLU accepts (clu-rest-api.md §7), plus the bare ``en`` the spec examples use.
LANGUAGES = frozenset(
    "af am ar as az be bg bn br bs ca cs cy da de el en en-us en-gb eo es et eu fa fi fr fy ga gd gl gu ha he hi "
    "hr hu hy id it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my ne nl nb or pa pl ps pt-br "
    "pt-pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl tr ug uk ur uz vi xh yi zh-hans zh-hant zu".split()
)


def _name_findings(name: str, f: Findings, ptr: str, *, code_long: str, code_char: str, what: str) -> None:
    if not name.strip():
        f.add(code_long, ptr, f"{what} name is empty")
    if len(name) > clu_names.MAX_NAME:
        f.add(code_long, ptr, f"{what} name {show(name)} has {len(name)} characters; CLU allows {clu_names.MAX_NAME}")
    bad = sorted({c for c in name if c in clu_names.FORBIDDEN})
    if bad:
        f.add(code_char, ptr, f"{what} name {show(name)} contains {' '.join(bad)}")


def _limit(count: int, what: str, limit: int, f: Findings, ptr: str, code: str) -> None:
    if count > limit:
        f.add(code, ptr, f"{count} {what}; CLU allows at most {limit}")


# -- native CLU project files ----------------------------------------------------------------------------


def check(root: dict[str, Any], f: Findings) -> None:
    raw_assets, raw_meta = root.get("assets"), root.get("metadata")
    assets: dict[str, Any] = raw_assets if isinstance(raw_assets, dict) else {}
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    project_name = meta.get("projectName")
    why = clu_names.resource_name_problem(project_name) if isinstance(project_name, str) else None
    if why:
        f.add("CLU012", "/metadata/projectName", f"project name {show(project_name)}: a CLU project name {why}")
    project_lang = _str(meta, "language")
    if project_lang is not None and project_lang.lower() not in LANGUAGES:
        f.add("CLU009", "/metadata/language", f"language {show(project_lang)} is not a CLU language code")

    intents = objects(assets, "intents")
    entities = objects(assets, "entities")
    utterances = objects(assets, "utterances")

    declared_intents: dict[str, int] = {}
    for i, it in intents:
        name = _str(it, "category")
        if name is None:
            continue
        ptr = pointer("assets", "intents", i, "category")
        if name in declared_intents:
            f.add("CLU008", ptr, f"intent {show(name)} is also declared at /assets/intents/{declared_intents[name]}")
        else:
            declared_intents[name] = i
        _name_findings(name, f, ptr, code_long="CLU007", code_char="CLU007", what="intent")

    declared_entities: dict[str, int] = {}
    regex_count = 0
    for i, en in entities:
        name = _str(en, "category")
        if name is None:
            continue
        ptr = pointer("assets", "entities", i)
        if name in declared_entities:
            f.add(
                "CLU008",
                ptr + "/category",
                f"entity {show(name)} is also declared at /assets/entities/{declared_entities[name]}",
            )
        else:
            declared_entities[name] = i
        _name_findings(name, f, ptr + "/category", code_long="CLU007", code_char="CLU007", what="entity")
        prebuilts = en.get("prebuilts")
        if isinstance(prebuilts, list):
            _limit(
                len(prebuilts),
                f"prebuilt components in entity {show(name)}",
                MAX_PREBUILTS_PER_ENTITY,
                f,
                ptr + "/prebuilts",
                "CLU006",
            )
        regex = en.get("regex")
        if isinstance(regex, dict) and isinstance(regex.get("expressions"), list):
            regex_count += len(regex["expressions"])
        lst = en.get("list")
        if isinstance(lst, dict):
            keys: dict[str, int] = {}
            for k, sl in objects(lst, "sublists"):
                key = _str(sl, "listKey")
                if key is not None and key in keys:
                    f.add(
                        "CLU011",
                        f"{ptr}/list/sublists/{k}/listKey",
                        f"list key {show(key)} of entity {show(name)} is also used by sublist {keys[key]}",
                    )
                elif key is not None:
                    keys[key] = k
            synonyms = sum(
                len(g.get("values") or [])
                for _, sl in objects(lst, "sublists")
                for _, g in objects(sl, "synonyms")
                if isinstance(g.get("values"), list)
            )
            _limit(
                synonyms, f"list synonyms in entity {show(name)}", MAX_SYNONYMS_PER_ENTITY, f, ptr + "/list", "CLU006"
            )

    seen: dict[tuple[str, str | None], int] = {}
    for i, utt in utterances:
        ptr = pointer("assets", "utterances", i)
        text, intent = _str(utt, "text"), _str(utt, "intent")
        lang = _str(utt, "language") or project_lang
        if intent is not None and intent not in declared_intents:
            f.add("CLU001", ptr + "/intent", f"intent {show(intent)} is not declared in /assets/intents")
        dataset = utt.get("dataset")
        if dataset is not None and dataset not in ("Train", "Test"):
            f.add("CLU010", ptr + "/dataset", f"dataset {show(dataset)} is neither Train nor Test")
        language = _str(utt, "language")
        if language is not None and language.lower() not in LANGUAGES:
            f.add("CLU009", ptr + "/language", f"language {show(language)} is not a CLU language code")
        if text is None:
            continue
        text_key = (text, lang.lower() if lang else None)
        if text_key in seen:
            f.add("CLU005", ptr + "/text", f"{show(text)} repeats /assets/utterances/{seen[text_key]}")
        else:
            seen[text_key] = i
        if len(text) > LIMITS["utterance_length"]:
            f.add("CLU006", ptr + "/text", f"{len(text)} characters; CLU allows {LIMITS['utterance_length']}")
        size = utf16_len(text)
        for j, label in objects(utt, "entities"):
            lptr = pointer("assets", "utterances", i, "entities", j)
            category = _str(label, "category")
            if category is not None and category not in declared_entities:
                f.add("CLU002", lptr + "/category", f"entity {show(category)} is not declared in /assets/entities")
            offset, length = label.get("offset"), label.get("length")
            if type(offset) is not int or type(length) is not int:  # JSON integers (not bool)
                continue
            if offset < 0 or length < 0 or offset + length > size:
                f.add("CLU003", lptr, f"offset {offset}, length {length} does not fit the text ({size} UTF-16 units)")
                continue
            cut = [p for p in (offset, offset + length) if _inside_pair(text, p)]
            if cut:
                f.add("CLU004", lptr, f"UTF-16 offset {cut[0]} is between the two halves of a surrogate pair")

    for what, count, code_ptr in (
        ("utterances", len(utterances), "/assets/utterances"),
        ("intents", len(intents), "/assets/intents"),
        ("entities", len(entities), "/assets/entities"),
        ("regex", regex_count, "/assets/entities"),
    ):
        _limit(count, what if what != "regex" else "regular expressions", LIMITS[what], f, code_ptr, "CLU006")


def _inside_pair(text: str, units: int) -> bool:
    pos = 0
    for ch in text:
        if pos >= units:
            return False
        pos += 2 if ord(ch) > 0xFFFF else 1
        if pos > units:
            return True
    return False


def check_clu_for_hf(root: dict[str, Any], f: Findings, delimiter: str) -> None:
    """``--target hf`` on a CLU file: what the conversion would refuse, normalize or lose."""
    try:
        _, report = read_clu(root, source=f.source, options=CluReadOptions(delimiter=delimiter))
    except InputError as exc:
        f.add("CLU099", exc.pointer, exc.message)
        return
    for item in report:
        f.add(
            "CLU107",
            item.pointer,
            f"{item.code}: {item.message}",
            severity="error" if item.severity == "error" else "warning",
        )


# -- an HF file against CLU's rules -------------------------------------------------------------------------


def check_hf_for_clu(root: dict[str, Any], f: Findings, delimiter: str) -> None:
    intents = objects(root, "intents")
    entities = objects(root, "entities")
    examples = objects(root, "examples")
    paths, _ = intent_paths(intents)

    flat_owner: dict[str, int] = {}
    written = 0
    used = {
        _str(ref, "intent_id")
        for _, ex in examples
        for _, ref in objects(ex, "intents")
        if ref.get("negative") is not True
    }
    for i, it in intents:
        iid = _str(it, "id")
        path = paths.get(iid) if iid else None
        if path is None:
            continue  # dangling parent / cycle: reported by the HF rules
        if implicit_parent(it.get("metadata")) and iid not in used:
            continue  # the CLU writer leaves implicit, unused parents out
        written += 1
        ptr = pointer("intents", i, "name")
        flat = delimiter.join(path) if delimiter else path[-1]
        _name_findings(flat, f, ptr, code_long="CLU101", code_char="CLU102", what="intent")
        if delimiter and delimiter in path[-1]:
            f.add("CLU103", ptr, f"intent name {show(path[-1])} contains the delimiter {show(delimiter)}")
        if flat in flat_owner:
            f.add("CLU104", ptr, f"{show(flat)} is also the CLU name of /intents/{flat_owner[flat]}")
        else:
            flat_owner[flat] = i

    regex_count = 0
    for i, en in entities:
        name = _str(en, "name")
        if name is None:
            continue
        _name_findings(name, f, pointer("entities", i, "name"), code_long="CLU101", code_char="CLU102", what="entity")
        if en.get("is_regex") is True:
            for _, v in objects(en, "values"):
                regex_count += max(1, len(objects(v, "synonyms")))

    utterances = 0
    seen: set[tuple[str, Any]] = set()
    for i, ex in examples:
        text = _str(ex, "text")
        if text is None or not any(ref.get("negative") is not True for _, ref in objects(ex, "intents")):
            continue
        md = ex.get("metadata")
        key = (text, md.get("hfx.language") if isinstance(md, dict) else None)
        if key in seen:
            continue
        seen.add(key)
        utterances += 1
        if len(text) > LIMITS["utterance_length"]:
            f.add(
                "CLU106",
                pointer("examples", i, "text"),
                f"{len(text)} characters; CLU allows {LIMITS['utterance_length']}",
            )

    for what, count, ptr in (
        ("utterances", utterances, "/examples"),
        ("intents", written, "/intents"),
        ("entities", len(entities), "/entities"),
        ("regex", regex_count, "/entities"),
    ):
        _limit(count, what if what != "regex" else "regular expressions", LIMITS[what], f, ptr, "CLU105")
