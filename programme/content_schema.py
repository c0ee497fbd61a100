"""The shape of the programme's content files (pydantic); errors name the file and the key."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Cited(_Strict):
    code: str = Field(min_length=1, max_length=80)
    title: str = Field(min_length=1, max_length=300)
    citation: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://")
    confidence: Literal["high", "medium", "low"]


class RiskSource(Cited):
    framework: str


class ControlItem(Cited):
    framework: str
    test: str = ""
    applies_to_model_types: list[str] = []
    applies_to_capabilities: list[str] = []
    obligations: list[str] = []
    evidence_source: Literal["", "literacy_coverage"] = ""


class Period(_Strict):
    days: int | None = Field(default=None, gt=0)
    business_days: int | None = Field(default=None, gt=0)
    months: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def one_unit(self):
        if sum(v is not None for v in (self.days, self.business_days, self.months)) != 1:
            raise ValueError("give exactly one of days, business_days or months")
        return self


class RightsRule(Cited):
    regime: str
    response: Period | None
    extension: Period | None = None
    note: str = ""


class NoticeItem(Cited):
    kind: Literal["pre_use", "adverse_decision", "interaction"]
    regime: str
    obligations: list[str] = Field(min_length=1)
    audience: str = ""
    body: str = Field(min_length=1)

    @field_validator("body")
    @classmethod
    def known_placeholders(cls, value: str) -> str:
        from programme.notices import placeholders_unknown

        unknown = placeholders_unknown(value)
        if unknown:
            raise ValueError(f"unknown placeholder(s) {', '.join(sorted(unknown))}")
        return value


class _File(_Strict):
    version: str
    title: str
    supersedes: str = ""

    @field_validator("version", mode="before")
    @classmethod
    def as_text(cls, value):
        return str(value)


class RiskSourcesFile(_File):
    kind: Literal["risk-sources"]
    items: list[RiskSource]


class ControlsFile(_File):
    kind: Literal["controls"]
    items: list[ControlItem]


class RightsFile(_File):
    kind: Literal["rights"]
    items: list[RightsRule]


class NoticesFile(_File):
    kind: Literal["notices"]
    items: list[NoticeItem]


SCHEMAS = {
    "risk-sources": RiskSourcesFile,
    "controls": ControlsFile,
    "rights": RightsFile,
    "notices": NoticesFile,
}
