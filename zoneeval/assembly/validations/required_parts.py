from ...reports.anchors import part_anchor
from ...reports.text import plain_text
from . import messages
from .finding import ERROR, Finding

REQUIRED_PASSAGES = [
    ("part2", ("overview",), "2 ①総合特区計画の概要"),
    ("part2", ("goal",), "2 ②総合特区計画の目指す目標"),
    ("part2", ("considerations",), "2 ⑤本年度の評価に際して考慮すべき事項"),
    ("part3", ("pathway",), "3 ③事業が連携することにより与える効果及び道筋"),
    ("part7", ("overall",), "7 総合評価"),
]


def required_parts_complete(snapshot: dict) -> list[Finding]:
    """Every part a report must have is written: the fixed passages, section 6 (a passage per co-author), each
    solution's text, each target's self-evaluation."""
    parts = snapshot["parts"]
    findings = []
    for part, keys, label in REQUIRED_PASSAGES:
        passage = parts[part]
        for key in keys:
            passage = passage[key]
        if not plain_text(passage["text"]):
            findings.append(Finding("required_parts_complete", ERROR, messages.PART_EMPTY.format(label=label), part,
                                    f"$.parts.{part}.{'.'.join(keys)}", part_anchor(part), passage["owner"]))
    written_by = {p["owner"] for p in parts["part6"]["passages"] if plain_text(p["text"])}
    for authority in snapshot["authorities"]:
        if authority["slug"] not in written_by:
            findings.append(Finding(
                "required_parts_complete", ERROR,
                messages.PART_EMPTY.format(label=f"6 地域独自の取組の状況（{authority['name']}）"),
                "part6", "$.parts.part6.passages", part_anchor("part6"), authority["slug"]))
    if not parts["part3"]["indicators"]:
        findings.append(Finding("required_parts_complete", ERROR, messages.PART_EMPTY.format(label="3 ①評価指標"),
                                "part3", "$.parts.part3.indicators", part_anchor("part3"), snapshot["edition"]["coordinator"]))
    for s_index, solution in enumerate(parts["part3"]["solutions"]):
        if not plain_text(solution["text"]):
            findings.append(Finding(
                "required_parts_complete", ERROR, messages.PART_EMPTY.format(label=f"3 ④解決策{solution['number']}"),
                "part3", f"$.parts.part3.solutions[{s_index}].text", part_anchor("part3"), solution["owner"]))
    return findings
