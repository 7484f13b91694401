"""Forms built from the registry: one per kind of item, with the edition's plan years for year grids."""
from __future__ import annotations

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .. import limits
from ..reports.era import fiscal_year_label
from ..reports.input import display_amount, normalise_digits
from .fields import LENGTH_ERROR, AmountField, MonthField, RichTextField
from .registry import Field, Kind

DASHES = {"-", "－", "ー", "―", "‐", "—"}


class GridCell(AmountField):
    """A 別紙3 cell: blank, '-' (nothing) or an amount."""

    def to_python(self, value):
        text = normalise_digits(value or "").strip()
        if text == "":
            return ""
        if text in DASHES:
            return None
        return super().to_python(value)


class ReadableFormMixin:
    """What the user sees in the boxes and beside them.

    - An amount reads back as typed in meaning: the stored Decimal('5.0000') shows as 5, 1200 as 1,200 (what was
      typed into a bound form is shown as typed).
    - An error is linked to its box (``aria-describedby`` to the errors' element, ``aria-invalid``), so a screen
      reader reads it and static/js/forms.js can remove both when the user corrects the box."""

    def readable_initial(self) -> None:
        if self.is_bound:
            return
        for name, field in self.fields.items():
            if isinstance(field, AmountField) and self.initial.get(name) not in (None, ""):
                self.initial[name] = display_amount(self.initial[name])

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"
                attrs["aria-invalid"] = "true"


def _model_field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _digits(model, name) -> dict:
    """An amount box is bounded like the model's DecimalField it edits (digits, decimal places)."""
    field = _model_field(model, name)
    if isinstance(field, models.DecimalField):
        return {"max_digits": field.max_digits, "decimal_places": field.decimal_places}
    return {}


def _form_field(f: Field, coauthors: list[tuple[str, str]], model=None):
    """The form field of a registry field, with the limits of the model field it edits."""
    if f.kind == "rich":
        return RichTextField(label=f.label, required=f.required)
    if f.kind == "amount":
        return AmountField(label=f.label, required=f.required, unit=f.unit, **_digits(model, f.name))
    if f.kind == "count":
        return AmountField(label=f.label, required=f.required, integer=True)
    if f.kind == "year":  # a fiscal year (西暦), bounded like the model's
        return forms.IntegerField(
            label=f.label, required=f.required, min_value=limits.FISCAL_YEAR_MIN, max_value=limits.FISCAL_YEAR_MAX,
            error_messages={"invalid": "年度は西暦の整数で入力してください（例：2016）。",
                            "min_value": f"年度は{limits.FISCAL_YEAR_MIN}以上にしてください。",
                            "max_value": f"年度は{limits.FISCAL_YEAR_MAX}以下にしてください。"})
    if f.kind == "bool":
        return forms.BooleanField(label=f.label, required=False)
    if f.kind == "month":
        return MonthField(label=f.label, required=False)
    if f.kind == "choice":
        return forms.ChoiceField(label=f.label, choices=f.choices, required=False)
    if f.kind == "authorities":
        return forms.MultipleChoiceField(label=f.label, choices=coauthors, widget=forms.CheckboxSelectMultiple,
                                         required=True,
                                         error_messages={"required": "自治体名を1つ以上選んでください。",
                                                         "invalid_choice": "「%(value)s」はこの評価書の作成主体ではありません。"})
    if f.kind == "bodies":  # bodies outside the co-authors, by name: one a line (cleaned into a list by the form)
        return forms.CharField(label=f.label, widget=forms.Textarea(attrs={"rows": 2}), required=False,
                               help_text=f"1行に1つ、{limits.AUTHORITY_NAME_MAX}文字まで。作成主体と合わせて"
                                         f"{limits.LOCAL_ROW_BODIES_MAX}団体まで。")
    if f.kind == "milestones":
        return forms.CharField(label=f.label, widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               max_length=limits.SCHEDULE_TEXT_MAX, error_messages=LENGTH_ERROR,
                               validators=limits.text_validators(limits.SCHEDULE_TEXT_MAX))
    field = _model_field(model, f.name)
    return forms.CharField(label=f.label, required=f.required,
                           max_length=getattr(field, "max_length", None) or limits.LINE_MAX,
                           validators=limits.LINE_VALIDATORS,
                           error_messages={**LENGTH_ERROR, "required": "「%s」を入力してください。" % f.label})


def _name_cells_by_their_label(form, names):
    """Cells of a year table have no <label> of their own (the row says the year, the column the figure): their
    accessible name is the field's label (「令和元年度 国予算(a)」), given as aria-label."""
    for name in names:
        form.fields[name].widget.attrs["aria-label"] = str(form.fields[name].label)


class ItemForm(ReadableFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, kind: Kind, edition, owner_slug: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.edition, self.owner_slug = kind, edition, owner_slug
        coauthors = [(c.authority.slug, c.authority.name) for c in edition.coauthors.select_related("authority")]
        for f in kind.fields:
            self.fields[f.name] = _form_field(f, coauthors, kind.model)
        self.grid_rows = []
        if kind.year_grid:
            for fy in edition.plan_years:
                names = []
                for f in kind.year_grid.fields:
                    name = f"y{fy}_{f.name}"
                    unit = f"（{f.unit}）" if f.unit else ""
                    self.fields[name] = GridCell(label=f"{fiscal_year_label(fy)} {f.label}{unit}", unit=f.unit,
                                                 integer=f.kind == "count", **_digits(kind.year_grid.model, f.name))
                    names.append(name)
                self.grid_rows.append((fy, names))
        self.readable_initial()
        _name_cells_by_their_label(self, [name for _, names in self.grid_rows for name in names])

    def grid(self):
        """[(fiscal year, [bound fields])] for the template."""
        return [(fy, [self[name] for name in names]) for fy, names in self.grid_rows]

    def plain_fields(self):
        grid_names = {name for _, names in self.grid_rows for name in names}
        return [self[name] for name in self.fields if name != "version" and name not in grid_names]

    def clean_partner_bodies(self):
        """The names typed, one a line: each a one-line name within the limits, none twice, none a co-author's."""
        names = []
        coauthor_names = {c.name for c in self.edition.coauthors.all()}
        for number, line in enumerate((self.cleaned_data.get("partner_bodies") or "").splitlines(), start=1):
            name = line.strip()
            if not name:
                continue
            if len(name) > limits.AUTHORITY_NAME_MAX:
                raise forms.ValidationError(f"{number}行目：団体名は{limits.AUTHORITY_NAME_MAX}文字以内にしてください"
                                            f"（{len(name):,}文字あります）。")
            found = limits.forbidden_character(name, line=True)
            if found:
                raise forms.ValidationError(f"{number}行目：" + limits.characters_message(found, line=True))
            if name in names:
                raise forms.ValidationError(f"{number}行目：「{name}」が重複しています。")
            if name in coauthor_names:
                raise forms.ValidationError(f"{number}行目：「{name}」は作成主体です。上の一覧から選んでください。")
            names.append(name)
        return names

    def clean_milestones(self):
        value = normalise_digits(self.cleaned_data.get("milestones") or "")
        result = []
        for number, line in enumerate(value.splitlines(), start=1):
            if not line.strip():
                continue
            month_text, _, label = line.strip().partition(" ")
            try:
                month = MonthField().clean(month_text)
            except forms.ValidationError:
                raise forms.ValidationError(f"{number}行目：「2019-04 内容」の形で入力してください。")
            if len(label.strip()) > limits.LINE_MAX:
                raise forms.ValidationError(f"{number}行目：内容は{limits.LINE_MAX}文字以内にしてください。")
            result.append({"month": month, "label": label.strip()})
        return result

    def clean(self):
        data = super().clean()
        first, last = self.edition.plan_first_fiscal_year, self.edition.plan_last_fiscal_year
        first_month, last_month = f"{first:04d}-04", f"{last + 1:04d}-03"
        for name in ("bar_start", "bar_end"):
            month = data.get(name)
            if month and not first_month <= month <= last_month:
                self.add_error(name, f"計画期間（{first_month}〜{last_month}）の外の月です。")
        for milestone in data.get("milestones") or []:
            if not first_month <= milestone["month"] <= last_month:
                self.add_error("milestones", f"{milestone['month']} は計画期間（{first_month}〜{last_month}）の外です。")
        if "bar_start" in self.fields:
            start, end = data.get("bar_start"), data.get("bar_end")
            if bool(start) != bool(end):
                self.add_error("bar_end", "開始月と終了月の両方を入力してください。")
            elif start and end and start > end:
                self.add_error("bar_end", "終了月が開始月より前です。")
        if "authorities" in self.fields and self.owner_slug and data.get("authorities") is not None:
            if self.owner_slug not in data["authorities"]:
                self.add_error("authorities", "自分の自治体を自治体名から外すことはできません。")
        if "partner_bodies" in self.fields:
            total = len(data.get("authorities") or []) + len(data.get("partner_bodies") or [])
            if total > limits.LOCAL_ROW_BODIES_MAX:
                self.add_error("partner_bodies", f"自治体名は作成主体と合わせて{limits.LOCAL_ROW_BODIES_MAX}団体までです"
                                                 f"（{total}団体あります）。")
        return data


class YearTableForm(ReadableFormMixin, forms.Form):
    """目標値 per plan year (when the user may change the target) and one authority's 実績値 per year."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, edition, can_edit_targets: bool, actual_authority, zone_figure: bool = False, **kwargs):
        """``zone_figure``: the target's 実績値 is one figure for the whole zone (a level target), entered by its
        owner (the view offers only the authorities the rules allow: reports/target_kinds.py)."""
        super().__init__(*args, **kwargs)
        self.years = list(edition.plan_years)
        self.can_edit_targets, self.actual_authority = can_edit_targets, actual_authority
        self.zone_figure = zone_figure
        whose = "特区全体" if zone_figure else getattr(actual_authority, "name", "")
        for fy in self.years:
            if can_edit_targets:
                self.fields[f"target_{fy}"] = AmountField(label=f"{fiscal_year_label(fy)} 目標値")
            if actual_authority is not None and fy <= edition.fiscal_year:
                self.fields[f"actual_{fy}"] = AmountField(label=f"{fiscal_year_label(fy)} 実績値（{whose}）")
        self.readable_initial()
        _name_cells_by_their_label(self, [name for name in self.fields if name != "version"])

    def rows(self):
        """[(fiscal year, target field or None, actual field or None)] for the template."""
        return [(fy, self[f"target_{fy}"] if f"target_{fy}" in self.fields else None,
                 self[f"actual_{fy}"] if f"actual_{fy}" in self.fields else None) for fy in self.years]

    def targets(self) -> dict:
        return {fy: self.cleaned_data[f"target_{fy}"] for fy in self.years if f"target_{fy}" in self.cleaned_data}

    def actuals(self) -> dict:
        return {fy: self.cleaned_data[f"actual_{fy}"] for fy in self.years if f"actual_{fy}" in self.cleaned_data}
