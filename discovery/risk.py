"""A risk score per AI app from the catalogue's attributes, with the factors that make it up.

The weights are data (RISK_FACTORS, CATEGORY_EXPOSURE), not numbers in templates: each factor
awards points for one catalogue attribute, an attribute with no public source gets the factor's
`unknown` points (not knowing is a risk, but less than a known bad answer), and the score is the
sum, 0-100. An unknown host (not in the catalogue) has every attribute unknown.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# How much a category's normal use sends to the vendor: whole meetings, every page visited and
# personal conversations weigh most; generated images the least.
CATEGORY_EXPOSURE: dict[str, int] = {
    "browser_extension": 20,
    "companion": 20,
    "meeting_assistant": 20,
    "chat_assistant": 15,
    "writing": 15,
    "productivity": 15,
    "coding_assistant": 15,
    "agent_platform": 15,
    "llm_api": 10,
    "ai_search": 10,
    "video_avatar": 10,
    "voice_music": 10,
    "image": 5,
    "model_hub": 5,
}
CATEGORY_UNKNOWN = 20  # not in the catalogue: nothing is known about what it does with data

# Score → level; the first level whose floor the score reaches.
LEVELS: tuple[tuple[int, str], ...] = ((60, "high"), (30, "medium"), (0, "low"))


@dataclass(frozen=True)
class FactorResult:
    key: str
    label: str
    finding: str  # what the catalogue says, in words
    points: int
    max_points: int


def _training(value: Any) -> tuple[str, int | None]:
    if value is True:
        return "Yes, by default", 30
    if value is False:
        return "No", 0
    return "Not sourced", None


def _sso(value: Any) -> tuple[str, int | None]:
    if value in (None, ""):
        return "Not sourced", None
    if value is False:
        return "No", 15
    return str(value), 0


def _certifications(value: Any) -> tuple[str, int | None]:
    if value is None:
        return "Not sourced", None
    if not value:
        return "None listed", 15
    return ", ".join(str(v) for v in value), 0


def _residency(value: Any) -> tuple[str, int | None]:
    if value in (None, ""):
        return "Not sourced", None
    text = str(value)
    if text.lower().startswith("yes"):
        return text, 0
    return text, 20  # a stated location the customer cannot choose


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    max_points: int
    unknown_points: int
    judge: Callable[[Any], tuple[str, int | None]]


RISK_FACTORS: tuple[Factor, ...] = (
    Factor("trains_on_customer_data", "Trains on customer data", 30, 10, _training),
    Factor("enterprise_sso", "Enterprise single sign-on", 15, 5, _sso),
    Factor("certifications", "Security certifications", 15, 5, _certifications),
    Factor("data_residency", "Data residency", 20, 5, _residency),
)
MAX_SCORE = sum(f.max_points for f in RISK_FACTORS) + max(CATEGORY_EXPOSURE.values())


@dataclass(frozen=True)
class RiskScore:
    score: int
    level: str
    factors: tuple[FactorResult, ...]

    @property
    def unknown_factors(self) -> int:
        return sum(1 for f in self.factors if f.finding in ("Not sourced", "Not in the catalogue"))


def risk_level(score: int) -> str:
    return next(level for floor, level in LEVELS if score >= floor)


def app_risk_score(
    *,
    category: str | None,
    risk: Mapping[str, Any] | None,
    known: bool = True,
    category_label: str = "",
) -> RiskScore:
    """The sum of the factor points; `known=False` for a host the catalogue does not list."""
    risk = risk or {}
    results = []
    for factor in RISK_FACTORS:
        if known:
            finding, points = factor.judge(risk.get(factor.key))
        else:
            finding, points = "Not in the catalogue", None
        results.append(
            FactorResult(
                key=factor.key,
                label=factor.label,
                finding=finding,
                points=factor.unknown_points if points is None else points,
                max_points=factor.max_points,
            )
        )
    if known and category in CATEGORY_EXPOSURE:
        exposure = CATEGORY_EXPOSURE[category]
        what = category_label or category.replace("_", " ").capitalize()
    else:
        exposure, what = CATEGORY_UNKNOWN, "Unknown"
    results.append(
        FactorResult(
            key="category",
            label="Data sent by this kind of app",
            finding=what,
            points=exposure,
            max_points=max(CATEGORY_EXPOSURE.values()),
        )
    )
    score = sum(r.points for r in results)
    return RiskScore(score=score, level=risk_level(score), factors=tuple(results))
