"""The whole 評価書 as data. One module per group of parts; everything is importable from here."""
from .evaluation import NationalEvaluation
from .exports import ExportRecord
from .local import LocalMeasureAuthority, LocalMeasureRow
from .permissions import *  # noqa: F401,F403  (guardian direct foreign-key permission models)
from .regulation import MeasureRow, RegulatoryProject, RegulatoryProposal, SpecialMeasureUse
from .schedule import ScheduleItem, ScheduleProject
from .support import (
    CountRow,
    CountYear,
    FiscalSupportRow,
    FiscalSupportYear,
    SupportGroup,
    SupportKind,
    SupportProject,
    SupportSection,
)
from .targets import ActualFigure, Indicator, Initiative, NumericalTarget, Solution, TargetYear
from .text import Passage, SurveyFinding
from .zone import CoAuthor, Edition, Zone

__all__ = [
    "ActualFigure", "CoAuthor", "ExportRecord", "CountRow", "CountYear", "Edition", "FiscalSupportRow", "FiscalSupportYear",
    "Indicator", "Initiative", "LocalMeasureAuthority", "LocalMeasureRow", "MeasureRow", "NationalEvaluation", "NumericalTarget", "Passage",
    "RegulatoryProject", "RegulatoryProposal", "ScheduleItem", "ScheduleProject", "Solution", "SpecialMeasureUse",
    "SupportGroup", "SupportKind", "SupportProject", "SupportSection", "SurveyFinding", "TargetYear", "Zone",
]
