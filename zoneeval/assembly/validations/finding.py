"""What a validation rule returns."""
from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"  # noted, nothing to do (e.g. a partner body a zone lists on purpose)
SEVERITY_LABELS = {ERROR: "エラー", WARNING: "警告", INFO: "情報"}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # ERROR blocks sign-off; WARNING and INFO inform
    message: str  # Japanese, for the people who must act
    part: str  # the part concerned: "part3", "annex3", …
    item: str  # a JSON path into the snapshot, e.g. "$.parts.annex3.fiscal[0]"
    anchor: str  # the id of the place in the document (the preview page and the PDF)
    owner: str = ""  # the authority whose item it is

    def as_dict(self) -> dict:
        return asdict(self)
