"""Table-driven classification: system + org profile + date -> expected outcome per regime, from the real YAML.

Each case cites the section of shared/reference/regimes.md (and the law) that justifies the expectation.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pytest

from regulations.engine import evaluate
from tests.regulations.cases.profiles import TODAY, org, system, version

D = dt.date


@dataclass
class Case:
    id: str
    system: dict
    expect: dict[str, str]  # regime code -> outcome code
    org: dict = field(default_factory=org)
    on: dt.date = TODAY
    labels: dict[str, str] = field(default_factory=dict)  # regime -> substring of outcome_label
    obligations: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # regime -> {ref: effective_from}
    absent: dict[str, list[str]] = field(
        default_factory=dict
    )  # regime -> refs that must NOT trigger
    versions: dict[str, str] = field(default_factory=dict)  # regime -> explicit version name
    # regime -> the pending start date ("YYYY-MM-DD"), or "" for an outcome in force on `on`
    pending: dict[str, str] = field(default_factory=dict)
    headline: dict[str, str] = field(default_factory=dict)  # regime -> substring of the headline
    also: dict[str, list[str]] = field(
        default_factory=dict
    )  # regime -> substrings of other matches


EU = ["EU"]
HR = ["employment"]
EU_ORG = org(does_business_in=["EU"])

CASES = [
    # ---------------------------------------------------------------- EU AI Act (reference §5)
    # §5.3 Annex III point 4: recruitment, selection, promotion, termination are high-risk (Art 6(2)).
    Case("eu-annex-iii-4-employment", system(subjects_in=EU, domains=HR, decision_role="substantial_factor", data_categories=HR),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "point 4"},
         obligations={"eu": {"EU-06": "2027-12-02", "EU-09": "2027-12-02", "EU-13": "2027-12-02"}}, absent={"eu": ["EU-14"]}),
    # §5.3 Annex III 4 by use: a recruitment-screening capability outside an 'employment' domain tag.
    Case("eu-annex-iii-4-capability", system(subjects_in=["DE", "EU"], capabilities=["recruitment_screening"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "point 4"}),
    # §5.3 Annex III 5(b) credit scoring; §5.5: ANY deployer of 5(b) owes a FRIA (Art 27), from 2027-12-02.
    Case("eu-annex-iii-5b-credit-scoring", system(subjects_in=EU, domains=["lending_financial"], capabilities=["credit_scoring"], data_categories=["financial"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "5(b)"}, obligations={"eu": {"EU-14": "2027-12-02"}}),
    # §5.3 Annex III 5(b) excludes fraud detection: a fraud model in lending is not high-risk.
    Case("eu-fraud-detection-not-high-risk", system(subjects_in=EU, domains=["lending_financial"], capabilities=["fraud_detection"], data_categories=["financial"]),
         {"eu": "minimal"}, absent={"eu": ["EU-14", "EU-06"]}),
    # §5.3 Annex III point 1: remote biometric identification (not verification).
    Case("eu-annex-iii-1-remote-biometric-id", system(subjects_in=EU, domains=["security"], capabilities=["remote_biometric_id"], data_categories=["biometric"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "point 1"}),
    # §5.3 Annex III 1 covers remote ID, not 1:1 verification: a biometrics-domain verifier is minimal.
    Case("eu-biometric-verification-minimal", system(subjects_in=EU, domains=["biometrics"], data_categories=["biometric"]),
         {"eu": "minimal"}),
    # §5.3 Annex III point 3: admission to education.
    Case("eu-annex-iii-3-education", system(subjects_in=EU, domains=["education"], decision_role="substantial_factor", data_categories=["education"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "point 3"}),
    # §5.3 Annex III 3: test proctoring.
    Case("eu-annex-iii-3-proctoring", system(subjects_in=EU, capabilities=["exam_proctoring"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "point 3"}),
    # §5.3 Annex III 5(a) public benefits; §5.5 public-law bodies owe a FRIA.
    Case("eu-annex-iii-5a-public-benefits", system(subjects_in=EU, domains=["essential_gov_services"], decision_role="material_influence", data_categories=["identifiers"]),
         {"eu": "high_risk_annex_iii"}, org=org(org_kind="eu_public_body", does_business_in=["EU"]), labels={"eu": "5(a)"},
         obligations={"eu": {"EU-14": "2027-12-02", "EU-10": "2027-12-02"}}),
    # §5.3 Annex III 5(c): life and health insurance pricing; §5.5 any deployer of 5(c) owes a FRIA.
    Case("eu-annex-iii-5c-life-health-insurance", system(subjects_in=EU, domains=["insurance_life_health"], capabilities=["insurance_pricing"], data_categories=["health"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "5(c)"}, obligations={"eu": {"EU-14": "2027-12-02"}}),
    # §5.3 Annex III 5(c) is life and health only: motor-insurance pricing is not high-risk in the EU,
    # §1.3 but insurance IS a Colorado consequential-decision domain (pending before 2027-01-01).
    Case("eu-motor-insurance-not-annex-iii", system(subjects_in=["EU", "CO"], domains=["insurance"], capabilities=["insurance_pricing"], decision_role="sole", data_categories=["financial"]),
         {"eu": "minimal", "co": "covered_pending"}),
    # §5.3 Annex III 5(d): emergency-call evaluation and triage.
    Case("eu-annex-iii-5d-triage", system(subjects_in=EU, domains=["healthcare"], capabilities=["emergency_triage"], data_categories=["health"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "5(d)"}),
    # §5.3 Annex III point 2; §5.5 no FRIA for point 2 even for a public body; §5.7 no Art 86 for point 2.
    Case("eu-annex-iii-2-critical-infrastructure-no-fria", system(subjects_in=EU, domains=["critical_infrastructure"]),
         {"eu": "high_risk_annex_iii"}, org=org(org_kind="eu_public_body", does_business_in=["EU"]), labels={"eu": "point 2"},
         absent={"eu": ["EU-14", "EU-15"]}),
    # §5.3 Annex III points 6, 7, 8.
    Case("eu-annex-iii-6-law-enforcement", system(subjects_in=EU, domains=["law_enforcement"]), {"eu": "high_risk_annex_iii"}, labels={"eu": "point 6"}),
    Case("eu-annex-iii-7-migration", system(subjects_in=EU, domains=["migration"]), {"eu": "high_risk_annex_iii"}, labels={"eu": "point 7"}),
    Case("eu-annex-iii-8-justice", system(subjects_in=EU, domains=["justice"]), {"eu": "high_risk_annex_iii"}, labels={"eu": "point 8"}),
    # §5.3 Art 5(1)(a)-(h), prohibited from 2025-02-02.
    Case("eu-art5-a-manipulation", system(subjects_in=EU, capabilities=["manipulative_techniques"]), {"eu": "prohibited"}, labels={"eu": "5(1)(a)"}),
    Case("eu-art5-b-vulnerabilities", system(subjects_in=EU, capabilities=["exploits_vulnerabilities"]), {"eu": "prohibited"}, labels={"eu": "5(1)(b)"}),
    Case("eu-art5-c-social-scoring", system(subjects_in=EU, capabilities=["social_scoring"]), {"eu": "prohibited"}, labels={"eu": "5(1)(c)"}),
    Case("eu-art5-d-crime-prediction", system(subjects_in=EU, domains=["law_enforcement"], capabilities=["crime_prediction_profiling"], profiling=True), {"eu": "prohibited"}, labels={"eu": "5(1)(d)"}),
    Case("eu-art5-e-facial-scraping", system(subjects_in=EU, capabilities=["facial_image_scraping"]), {"eu": "prohibited"}, labels={"eu": "5(1)(e)"}),
    # §5.3 Art 5(1)(f): emotion recognition at work (prohibited beats Annex III 1 by precedence).
    Case("eu-art5-f-emotion-at-work", system(subjects_in=EU, domains=HR, capabilities=["emotion_recognition"]), {"eu": "prohibited"}, labels={"eu": "5(1)(f)"}),
    # §5.3 Art 5(1)(f) is limited to work or school: emotion recognition in customer service is Annex III 1.
    Case("eu-emotion-recognition-customer-service", system(subjects_in=EU, domains=["customer_service"], capabilities=["emotion_recognition"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "point 1"}),
    Case("eu-art5-g-biometric-categorisation", system(subjects_in=EU, capabilities=["biometric_categorisation"], data_categories=["biometric", "political"]), {"eu": "prohibited"}, labels={"eu": "5(1)(g)"}),
    Case("eu-art5-h-realtime-rbi-law-enforcement", system(subjects_in=EU, domains=["law_enforcement"], capabilities=["realtime_remote_biometric_id_public"]), {"eu": "prohibited"}, labels={"eu": "5(1)(h)"}),
    # §5.3 Art 5(1)(ba) NCII applies only from 2026-12-02: before, a synthetic-content generator has Art 50 duties.
    Case("eu-ncii-before-2026-12-02", system(subjects_in=EU, capabilities=["ncii", "synthetic_content"]), {"eu": "transparency"}, on=D(2026, 12, 1)),
    Case("eu-art5-ba-ncii-from-2026-12-02", system(subjects_in=EU, capabilities=["ncii", "synthetic_content"]), {"eu": "prohibited"}, on=D(2026, 12, 2),
         labels={"eu": "5(1)(ba)"}, obligations={"eu": {"EU-01": "2026-12-02"}}),
    Case("eu-art5-bb-csam", system(subjects_in=EU, capabilities=["csam"]), {"eu": "prohibited"}, on=D(2027, 1, 5), labels={"eu": "5(1)(bb)"}),
    # §5.3 Art 6(3): an Annex III use that does not materially influence outcomes and does not profile is not
    # high-risk; the provider documents and registers (EU-05, Art 6(4), 49(2)) from the Annex III date (issue 14:
    # documentation and registration start with Annex III, 2027-12-02 after the Omnibus, not 2026-08-02).
    Case("eu-art6-3-derogation", system(roles=["provider"], subjects_in=EU, domains=HR, decision_role="supportive", art6_3_claim=True),
         {"eu": "not_high_risk_art6_3"}, obligations={"eu": {"EU-05": "2027-12-02"}}, absent={"eu": ["EU-16", "EU-17"]}),
    # §5.3 "Profiling is always high-risk": the Art 6(3) claim fails when the system profiles.
    Case("eu-art6-3-profiling-override", system(roles=["provider"], subjects_in=EU, domains=HR, art6_3_claim=True, profiling=True, data_categories=HR),
         {"eu": "high_risk_annex_iii"}, obligations={"eu": {"EU-16": "2027-12-02", "EU-17": "2027-12-02"}}),
    # §5.3 Art 50(1): chatbots disclose AI interaction (provider duty EU-03, from 2026-08-02).
    Case("eu-art50-chatbot", system(roles=["provider"], subjects_in=EU, domains=["customer_service"], capabilities=["chatbot"], interacts_with_persons=True),
         {"eu": "transparency"}, labels={"eu": "50(1)"}, obligations={"eu": {"EU-03": "2026-08-02"}}),
    # §5.3 Art 50(4): deployers disclose deep fakes (EU-04).
    Case("eu-art50-deep-fake", system(subjects_in=EU, domains=["marketing"], capabilities=["deep_fake"], model_type="generative_app"),
         {"eu": "transparency"}, obligations={"eu": {"EU-04": "2026-08-02"}}),
    # §5.6 / Art 53: a GPAI model provider below the systemic-risk threshold.
    Case("eu-gpai-provider", system(roles=["provider"], subjects_in=EU, model_type="general_purpose", training_ops=5e24),
         {"eu": "gpai"}, obligations={"eu": {"EU-18": "2025-08-02"}}, absent={"eu": ["EU-19"]}),
    # §5.3 EU.gpai_systemic := training_ops > 1e25 (Art 51, 55).
    Case("eu-gpai-systemic-risk", system(roles=["developer"], subjects_in=EU, model_type="general_purpose", training_ops=2e25),
         {"eu": "gpai_systemic"}, obligations={"eu": {"EU-18": "2025-08-02", "EU-19": "2025-08-02"}}),
    # §5.2 excluded: military, defence, national security.
    Case("eu-excluded-military", system(subjects_in=EU, domains=["law_enforcement"], excluded_purposes=["military"]), {"eu": "excluded"}, absent={"eu": ["EU-01", "EU-02"]}),
    # Art 3(1): non-ML software is not an AI system (reference 'basic_software').
    Case("eu-basic-software-excluded", system(subjects_in=EU, domains=HR, basic_software=True), {"eu": "excluded"}),
    # §5.3 Annex I (Art 6(1)): product safety component; duties from 2028-08-02 after the Omnibus (§5.4).
    Case("eu-annex-i-safety-component", system(roles=["provider"], subjects_in=EU, domains=["healthcare"], capabilities=["safety_component"]),
         {"eu": "high_risk_annex_i"}, obligations={"eu": {"EU-16": "2028-08-02"}}),
    # §5.1 pre-Omnibus version governs 2026-03-01: Annex III duties from 2026-08-02 (was, before the Omnibus).
    Case("eu-original-dates-before-omnibus", system(subjects_in=EU, domains=HR, decision_role="sole", data_categories=HR),
         {"eu": "high_risk_annex_iii"}, on=D(2026, 3, 1), obligations={"eu": {"EU-06": "2026-08-02"}}),
    # §5.2: no EU nexus (no EU subjects, org not in the EU) -> the Act does not apply.
    Case("eu-out-of-scope", system(subjects_in=["CO"], domains=HR), {"eu": "not_applicable"}),
    # §5.2: an org doing business in the EU is in scope even if subjects are not recorded; a productivity tool is minimal.
    Case("eu-minimal-productivity", system(domains=["productivity"]), {"eu": "minimal"}, org=EU_ORG,
         obligations={"eu": {"EU-02": "2025-02-02"}}),
    # §5.2 Art 2: a Maryland-only system of an organisation that also does business in the EU is not in scope.
    Case("eu-org-in-eu-but-system-us-only", system(subjects_in=["MD"], domains=["essential_gov_services"], decision_role="sole"),
         {"eu": "not_applicable"}, org=EU_ORG),
    # ---------------------------------------------------------------- Colorado (reference §1)
    # §1.1, 1.3: SB 26-189 covers decisions from 2027-01-01; at 2026-11-24 no duty applies yet (pending).
    Case("co-employment-before-2027", system(subjects_in=["CO"], domains=HR, decision_role="substantial_factor", data_categories=HR),
         {"co": "covered_pending"}, obligations={"co": {"CO-04": "2027-01-01", "CO-05": "2027-01-01"}}),
    # §1.3: the same system on 2027-01-15 is covered ADMT in a consequential decision.
    Case("co-employment-covered-2027", system(subjects_in=["CO"], domains=HR, decision_role="substantial_factor", data_categories=HR),
         {"co": "covered"}, on=D(2027, 1, 15), obligations={"co": {"CO-08": "2027-01-01"}}),
    # §1.3: "materially influences" (SB 26-189's test) covers a lending system.
    Case("co-materially-influences-lending", system(subjects_in=["CO"], domains=["lending_financial"], decision_role="material_influence", data_categories=["financial"]),
         {"co": "covered"}, on=D(2027, 3, 1)),
    # §1.3 excluded: supportive systems (summarise, organise, draft, route for human review).
    Case("co-supportive-excluded", system(subjects_in=["CO"], domains=HR, decision_role="supportive", data_categories=HR),
         {"co": "excluded"}, on=D(2027, 3, 1), absent={"co": ["CO-04"]}),
    # §1.3 excluded: non-ML software.
    Case("co-basic-software-excluded", system(subjects_in=["CO"], domains=["housing"], decision_role="sole", basic_software=True, data_categories=["financial"]),
         {"co": "excluded"}, on=D(2027, 3, 1)),
    # §1.3: legal services were dropped by SB 26-189.
    Case("co-legal-services-dropped", system(subjects_in=["CO"], domains=["legal_services"], decision_role="sole", data_categories=["identifiers"]),
         {"co": "not_covered"}, on=D(2027, 3, 1), labels={"co": "legal services"}),
    # §1.1: SB 24-205 never took effect (repealed): evaluating it on its former effective date applies nothing.
    Case("co-sb24-205-never-in-force", system(subjects_in=["CO"], domains=HR, decision_role="sole", data_categories=HR),
         {"co": "not_applicable"}, on=D(2026, 7, 15), versions={"co": "sb24-205"}),
    # §1.3 CO.covered requires personal data.
    Case("co-no-personal-data", system(subjects_in=["CO"], domains=["housing"], decision_role="sole"), {"co": "not_covered"}, on=D(2027, 3, 1)),
    # §1.4 CO-01: a developer owes documentation for deployers.
    Case("co-developer-documentation", system(roles=["developer"], subjects_in=["CO"], domains=["education"], decision_role="sole", data_categories=["education"]),
         {"co": "covered"}, on=D(2027, 2, 1), obligations={"co": {"CO-01": "2027-01-01"}}, absent={"co": ["CO-04"]}),
    # ---------------------------------------------------------------- Connecticut (reference §2)
    # §2.3 CT.aedt; §2.4 CT-05 pre-decision notice from 2027-10-01, CT-01 from 2026-10-01.
    Case("ct-aedt", system(subjects_in=["CT"], domains=HR, decision_role="sole", data_categories=HR),
         {"ct": "aedt"}, obligations={"ct": {"CT-05": "2027-10-01", "CT-01": "2026-10-01"}}),
    # §2.3: a supportive HR tool is not a substantial factor.
    Case("ct-supportive-not-aedt", system(subjects_in=["CT"], domains=HR, decision_role="supportive", data_categories=HR), {"ct": "not_covered"}),
    # §2.3 excluded: incidental use.
    Case("ct-incidental-excluded", system(subjects_in=["CT"], domains=HR, decision_role="incidental", data_categories=HR), {"ct": "excluded"}),
    # §2.1, 2.3: CTDPA profiling with significant effects, controller over 35,000 consumers -> CT-08 from 2026-08-01.
    Case("ct-profiling-impact-assessment", system(subjects_in=["CT"], domains=["lending_financial"], profiling=True, decision_role="substantial_factor", data_categories=["financial"]),
         {"ct": "profiling_ia"}, org=org(consumers_personal_data=40_000), obligations={"ct": {"CT-08": "2026-08-01"}}),
    # §2.1: below 35,000 consumers and no sensitive data or sales -> not a controller, no profiling assessment.
    Case("ct-profiling-below-threshold", system(subjects_in=["CT"], domains=["lending_financial"], profiling=True, data_categories=["financial"]),
         {"ct": "not_covered"}, org=org(consumers_personal_data=10_000)),
    # §2.1: no threshold for sensitive data.
    Case("ct-profiling-sensitive-no-threshold", system(subjects_in=["CT"], domains=["healthcare"], profiling=True, data_categories=["health"]),
         {"ct": "profiling_ia"}, org=org(consumers_personal_data=1_000)),
    # §2.7: AI companions, from 2027-01-01 (CT-07).
    Case("ct-ai-companion", system(roles=["provider"], subjects_in=["CT"], capabilities=["companion_chatbot"], interacts_with_persons=True),
         {"ct": "companion"}, obligations={"ct": {"CT-07": "2027-01-01"}}),
    # ---------------------------------------------------------------- Maryland (reference §3)
    # §3.3: no substantial-factor test; a rights-impacting HR tool at a state unit is high-risk even if supportive.
    Case("md-agency-rights-impacting", system(subjects_in=["MD"], domains=HR, decision_role="supportive", data_categories=HR),
         {"md": "high_risk"}, org=org(org_kind="state_agency", does_business_in=["MD"]),
         obligations={"md": {"MD-02": "2024-07-01"}}, absent={"md": ["MD-04"]}),
    # §3.4 MD-04: a system procured before 2026-02-01 has until 2027-07-01.
    Case("md-procured-earlier", system(subjects_in=["MD"], domains=["essential_gov_services"], decision_role="sole", data_categories=["identifiers"], procured_on="2025-06-01"),
         {"md": "high_risk"}, org=org(org_kind="state_agency", does_business_in=["MD"]), obligations={"md": {"MD-04": "2024-07-01"}}, absent={"md": ["MD-03"]}),
    # §3.3 safety-impacting: critical infrastructure.
    Case("md-agency-safety-impacting", system(subjects_in=["MD"], domains=["critical_infrastructure"], decision_role="material_influence"),
         {"md": "high_risk"}, org=org(org_kind="state_agency", does_business_in=["MD"]), labels={"md": "safety"}),
    # §3.3: an agency's productivity tool is in scope but not high-risk.
    Case("md-agency-not-high-risk", system(domains=["productivity"], capabilities=["chatbot"]),
         {"md": "in_scope"}, org=org(org_kind="state_agency", does_business_in=["MD"])),
    # §3.2: no private-sector duties.
    Case("md-private-company", system(subjects_in=["MD"], domains=HR, decision_role="sole", data_categories=HR), {"md": "not_applicable"}),
    # §3.2: higher-ed AI used solely for research or academic purposes is outside the Act.
    Case("md-higher-ed-research-only", system(subjects_in=["MD"], domains=["education"], decision_role="substantial_factor", excluded_purposes=["research_or_academic"]),
         {"md": "not_applicable"}, org=org(org_kind="higher_ed", does_business_in=["MD"])),
    # ---------------------------------------------------------------- California CPPA (reference §4A)
    # §4A CA.admt_rules: CCPA business (revenue > ~$26.6M), CA consumer, sole decision, significant (employment).
    Case("ca-admt-significant-employment", system(subjects_in=["CA"], domains=HR, decision_role="sole", data_categories=HR),
         {"ca": "admt_significant"}, org=org(annual_revenue_usd=30_000_000, does_business_in=["CA"]),
         obligations={"ca": {"CA-01": "2026-01-01", "CA-06": "2027-01-01", "CA-10": "2025-10-01"}}),
    # §4A: existing uses comply by 2027-01-01, new ones at once (a planned system: CA-06 from 2026-01-01).
    Case("ca-admt-new-use", system(subjects_in=["CA"], domains=["housing"], decision_role="sole", data_categories=["financial"], lifecycle="planned"),
         {"ca": "admt_significant"}, org=org(annual_revenue_usd=30_000_000, does_business_in=["CA"]),
         obligations={"ca": {"CA-06": "2026-01-01"}}, absent={"ca": ["CA-02"]}),
    # §4A: a human reviewer who can change the decision -> not ADMT; no other §7150 trigger.
    Case("ca-human-in-loop-no-trigger", system(subjects_in=["CA"], domains=HR, decision_role="substantial_factor", human_review=True, data_categories=HR),
         {"ca": "no_trigger"}, org=org(annual_revenue_usd=30_000_000, does_business_in=["CA"])),
    # §4A who: below $25M revenue and under 100,000 consumers -> not a CCPA business.
    Case("ca-below-business-thresholds", system(subjects_in=["CA"], domains=HR, decision_role="sole", data_categories=HR),
         {"ca": "not_applicable"}, org=org(annual_revenue_usd=20_000_000, consumers_personal_data=50_000, does_business_in=["CA"])),
    # §4A who: 100,000+ consumers makes a small company a CCPA business.
    Case("ca-consumer-threshold", system(subjects_in=["CA"], domains=["education"], decision_role="sole", data_categories=["education"]),
         {"ca": "admt_significant"}, org=org(annual_revenue_usd=5_000_000, consumers_personal_data=150_000, does_business_in=["CA"])),
    # §4A who + §7150: 50%+ revenue from selling PI -> business; selling/sharing triggers a risk assessment.
    Case("ca-data-seller-risk-assessment", system(subjects_in=["CA"], domains=["marketing"], data_categories=["behavioural"]),
         {"ca": "risk_assessment"}, org=org(annual_revenue_usd=2_000_000, revenue_share_from_selling_data=0.6, does_business_in=["CA"]),
         obligations={"ca": {"CA-01": "2026-01-01", "CA-05": "2028-04-01"}}),
    # §4A: insurance was dropped from significant decisions -> sole insurance decisions are not ADMT rules.
    Case("ca-insurance-dropped", system(subjects_in=["CA"], domains=["insurance"], decision_role="sole", data_categories=["financial"]),
         {"ca": "no_trigger"}, org=org(annual_revenue_usd=30_000_000, does_business_in=["CA"])),
    # §4A §7150: processing sensitive PI triggers a risk assessment even without ADMT.
    Case("ca-sensitive-pi-risk-assessment", system(subjects_in=["CA"], domains=["healthcare"], decision_role="supportive", data_categories=["health"]),
         {"ca": "risk_assessment"}, org=org(annual_revenue_usd=30_000_000, does_business_in=["CA"])),
    # §4D cyber audit tiers: revenue over $100M -> 2028-04-01; $50-100M -> 2029-04-01.
    Case("ca-cyber-audit-over-100m", system(subjects_in=["CA"], domains=["productivity"], data_categories=["contact"]),
         {"ca": "no_trigger"}, org=org(annual_revenue_usd=150_000_000, does_business_in=["CA"]), obligations={"ca": {"CA-09": "2028-04-01"}}),
    Case("ca-cyber-audit-50-100m", system(subjects_in=["CA"], domains=["productivity"], data_categories=["contact"]),
         {"ca": "no_trigger"}, org=org(annual_revenue_usd=60_000_000, does_business_in=["CA"]), obligations={"ca": {"CA-09": "2029-04-01"}}),
    # §4A: CCPA businesses are for-profit; a public agency is not one.
    Case("ca-public-agency-not-business", system(subjects_in=["CA"], domains=HR, decision_role="sole", data_categories=HR),
         {"ca": "not_applicable"}, org=org(org_kind="state_agency", annual_revenue_usd=90_000_000, does_business_in=["CA"])),
    # ---------------------------------------------------------------- California SB 53 (reference §4B)
    # §4B: frontier := training_ops > 1e26; large := revenue > $500M.
    Case("sb53-large-frontier", system(roles=["developer"], subjects_in=["CA"], model_type="general_purpose", training_ops=2e26),
         {"ca-sb53": "large_frontier"}, org=org(annual_revenue_usd=600_000_000, does_business_in=["CA"]),
         obligations={"ca-sb53": {"CA53-01": "2026-01-01", "CA53-03": "2026-01-01"}}),
    Case("sb53-frontier-not-large", system(roles=["developer"], subjects_in=["CA"], model_type="general_purpose", training_ops=2e26),
         {"ca-sb53": "frontier"}, org=org(annual_revenue_usd=400_000_000, does_business_in=["CA"]),
         obligations={"ca-sb53": {"CA53-02": "2026-01-01", "CA53-04": "2026-01-01"}}, absent={"ca-sb53": ["CA53-01", "CA53-03"]}),
    # §4B: exactly 1e26 is not "> 1e26".
    Case("sb53-at-threshold-not-frontier", system(roles=["developer"], subjects_in=["CA"], model_type="general_purpose", training_ops=1e26),
         {"ca-sb53": "not_frontier"}, org=org(annual_revenue_usd=900_000_000, does_business_in=["CA"])),
    # §4B: deployers are not covered.
    Case("sb53-deployer-not-covered", system(roles=["deployer"], subjects_in=["CA"], model_type="general_purpose", training_ops=5e26),
         {"ca-sb53": "not_applicable"}, org=org(annual_revenue_usd=900_000_000, does_business_in=["CA"])),
    # ---------------------------------------------------------------- out of scope everywhere
    # No covered jurisdiction, a private company: no regime applies (§1.2, 2.2, 3.2, 4A, 4B, 5.2).
    Case("out-of-scope-everywhere", system(domains=["software_engineering"], capabilities=["chatbot"], model_type="generative_app"),
         {"eu": "not_applicable", "co": "not_applicable", "ct": "not_applicable", "md": "not_applicable",
          "ca": "not_applicable", "ca-sb53": "not_applicable"}),
    # A multi-regime hiring tool on 2027-11-01: EU high-risk, CO covered, CT AEDT, CA ADMT.
    Case("multi-regime-hiring-tool", system(subjects_in=["EU", "FR", "CO", "CT", "CA"], domains=HR, decision_role="sole", data_categories=HR),
         {"eu": "high_risk_annex_iii", "co": "covered", "ct": "aedt", "ca": "admt_significant", "md": "not_applicable"},
         org=org(annual_revenue_usd=40_000_000, does_business_in=["EU", "CO", "CT", "CA"]), on=D(2027, 11, 1)),
]  # fmt: skip


CA_ORG = org(annual_revenue_usd=30_000_000, does_business_in=["CA"])
MD_AGENCY = org(org_kind="state_agency", does_business_in=["MD"])
CV_RANKER = {"subjects_in": EU, "purposes": ["recruitment_selection"], "data_categories": HR}
CO_HIRING = {
    "subjects_in": ["CO"],
    "domains": HR,
    "decision_role": "substantial_factor",
    "data_categories": HR,
}

# Issue 14: dated outcomes (every pending-date boundary: the day before and the day of), purpose-level Annex III,
# role-aware Art 50, and the facts the law turns on. Each case cites the reference section and the statute.
CASES += [
    # ---------------------------------------------------------------- EU dates (§5.4, 5.8; Omnibus Reg 2026/1744)
    # §5.8 Annex III from 2027-12-02: the day before it is pending, the day of it is in force.
    Case("eu-iii-4a-pending-2027-12-01", system(**CV_RANKER), {"eu": "high_risk_annex_iii"}, on=D(2027, 12, 1),
         pending={"eu": "2027-12-02"}, headline={"eu": "High-risk from 2027-12-02"}, labels={"eu": "4(a)"}),
    Case("eu-iii-4a-in-force-2027-12-02", system(**CV_RANKER), {"eu": "high_risk_annex_iii"}, on=D(2027, 12, 2),
         pending={"eu": ""}, labels={"eu": "4(a)"}),
    # Today (2026-12-04): a CV-ranking system is high-risk from 2027-12-02 (Annex III point 4(a)).
    Case("eu-cv-ranker-today", system(**CV_RANKER), {"eu": "high_risk_annex_iii"}, on=D(2026, 12, 4),
         pending={"eu": "2027-12-02"}, headline={"eu": "because it ranks, filters or evaluates job applicants (Art 6(2), Annex III point 4(a))"}),
    # §5.8 Annex I from 2028-08-02 (Art 6(1)).
    Case("eu-annex-i-pending-2028-08-01", system(roles=["provider"], subjects_in=EU, capabilities=["safety_component"]),
         {"eu": "high_risk_annex_i"}, on=D(2028, 8, 1), pending={"eu": "2028-08-02"}),
    Case("eu-annex-i-in-force-2028-08-02", system(roles=["provider"], subjects_in=EU, capabilities=["safety_component"]),
         {"eu": "high_risk_annex_i"}, on=D(2028, 8, 2), pending={"eu": ""}),
    # §5.4 EU-05: Art 6(3) documentation and Art 49(2) registration start with the Annex III date.
    Case("eu-art6-3-pending-2027-12-01", system(roles=["provider"], subjects_in=EU, purposes=["recruitment_selection"], art6_3_narrow_procedural=True),
         {"eu": "not_high_risk_art6_3"}, on=D(2027, 12, 1), pending={"eu": "2027-12-02"}, obligations={"eu": {"EU-05": "2027-12-02"}}),
    Case("eu-art6-3-in-force-2027-12-02", system(roles=["provider"], subjects_in=EU, purposes=["recruitment_selection"], art6_3_narrow_procedural=True),
         {"eu": "not_high_risk_art6_3"}, on=D(2027, 12, 2), pending={"eu": ""}, obligations={"eu": {"EU-05": "2027-12-02"}}),
    # §5.1: the last day before the Omnibus the original dates govern (Annex III from 2026-08-02); from its entry
    # into force (2026-07-27) the same system is high-risk from 2027-12-02.
    Case("eu-original-pending-2026-07-26", system(**CV_RANKER), {"eu": "high_risk_annex_iii"}, on=D(2026, 7, 26),
         pending={"eu": "2026-08-02"}, versions={"eu": "2024-1689-original-r2"}),
    Case("eu-omnibus-pending-2026-07-27", system(**CV_RANKER), {"eu": "high_risk_annex_iii"}, on=D(2026, 7, 27), pending={"eu": "2027-12-02"}),
    Case("eu-original-annex-i-2026-05-01", system(roles=["provider"], subjects_in=EU, capabilities=["safety_component"]),
         {"eu": "high_risk_annex_i"}, on=D(2026, 5, 1), pending={"eu": "2027-08-02"}),
    # §5.3 Art 5(1)(ba) NCII from 2026-12-02 (day before: the deployer's Art 50(4) deep-fake duty applies).
    Case("eu-ncii-deployer-2026-12-01", system(subjects_in=EU, capabilities=["ncii"]), {"eu": "transparency"}, on=D(2026, 12, 1),
         labels={"eu": "50(4)"}, pending={"eu": ""}),
    Case("eu-ncii-prohibited-2026-12-02", system(subjects_in=EU, capabilities=["ncii"]), {"eu": "prohibited"}, on=D(2026, 12, 2), pending={"eu": ""}),
    # §5.1 Art 111(2): a system placed before its Chapter III date is covered only after a significant design change.
    Case("eu-legacy-private-not-covered", system(**CV_RANKER, placed_on_market_on="2025-03-01"), {"eu": "legacy_high_risk"}, on=D(2028, 1, 10),
         also={"eu": ["4(a)"]}),
    Case("eu-legacy-changed-is-high-risk", system(**CV_RANKER, placed_on_market_on="2025-03-01", significant_design_change=True),
         {"eu": "high_risk_annex_iii"}, on=D(2028, 1, 10), pending={"eu": ""}),
    Case("eu-placed-on-2027-12-02-not-legacy", system(**CV_RANKER, placed_on_market_on="2027-12-02"), {"eu": "high_risk_annex_iii"}, on=D(2028, 1, 10)),
    Case("eu-placed-2027-12-01-legacy", system(**CV_RANKER, placed_on_market_on="2027-12-01"), {"eu": "legacy_high_risk"}, on=D(2028, 1, 10)),
    # §5.1 Art 111(2): public authorities' legacy systems comply by 2030-08-02 (day before pending, day of in force).
    Case("eu-legacy-public-2030-08-01", system(subjects_in=EU, purposes=["public_benefits_eligibility"], placed_on_market_on="2024-01-01"),
         {"eu": "high_risk_annex_iii"}, org=org(org_kind="eu_public_body", does_business_in=["EU"]), on=D(2030, 8, 1), pending={"eu": "2030-08-02"},
         labels={"eu": "legacy"}),
    Case("eu-legacy-public-2030-08-02", system(subjects_in=EU, purposes=["public_benefits_eligibility"], placed_on_market_on="2024-01-01"),
         {"eu": "high_risk_annex_iii"}, org=org(org_kind="eu_public_body", does_business_in=["EU"]), on=D(2030, 8, 2), pending={"eu": ""}),
    Case("eu-annex-i-legacy", system(roles=["provider"], subjects_in=EU, capabilities=["safety_component"], placed_on_market_on="2026-01-01"),
         {"eu": "legacy_high_risk"}, on=D(2028, 9, 1)),
    # ---------------------------------------------------------------- EU Annex III by purpose (§5.3)
    # Point 4 is recruitment/selection or work-relationship decisions: an HR question-answering bot is not point 4.
    Case("eu-hr-qa-bot-not-point-4", system(subjects_in=EU, domains=HR, capabilities=["chatbot"], interacts_with_persons=True, data_categories=HR),
         {"eu": "minimal"}, absent={"eu": ["EU-06", "EU-13"]}),
    Case("eu-hr-drafting-aid-supportive-not-point-4", system(subjects_in=EU, domains=HR, decision_role="supportive", data_categories=HR), {"eu": "minimal"}),
    Case("eu-iii-4b-work-decisions", system(subjects_in=EU, purposes=["work_relationship_decisions"], data_categories=HR),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "4(b)"}, obligations={"eu": {"EU-09": "2027-12-02"}}),
    Case("eu-iii-4b-performance-monitoring", system(subjects_in=EU, capabilities=["performance_monitoring"]), {"eu": "high_risk_annex_iii"}, labels={"eu": "4(b)"}),
    Case("eu-iii-4a-capability-letter", system(subjects_in=EU, capabilities=["recruitment_screening"]), {"eu": "high_risk_annex_iii"}, labels={"eu": "4(a)"}),
    # 5(b) is credit scoring of natural persons: a customer FAQ chatbot at a bank is not 5(b).
    Case("eu-bank-faq-chatbot-not-5b", system(subjects_in=EU, domains=["lending_financial"], capabilities=["chatbot"], interacts_with_persons=True),
         {"eu": "minimal"}, absent={"eu": ["EU-14"]}),
    Case("eu-iii-5b-purpose", system(subjects_in=EU, purposes=["creditworthiness"], data_categories=["financial"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "5(b)"}, obligations={"eu": {"EU-14": "2027-12-02"}}),
    Case("eu-iii-5b-lending-decisions", system(subjects_in=EU, domains=["lending_financial"], decision_role="sole", data_categories=["financial"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "5(b)"}),
    # 5(b) excludes fraud detection, even when the fraud model decides.
    Case("eu-fraud-decisions-not-5b", system(subjects_in=EU, domains=["lending_financial"], capabilities=["fraud_detection"], decision_role="sole", data_categories=["financial"]),
         {"eu": "minimal"}),
    # 5(c) is life and health insurance only.
    Case("eu-iii-5c-purpose", system(subjects_in=EU, purposes=["life_health_insurance_pricing"], data_categories=["health"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "5(c)"}, obligations={"eu": {"EU-14": "2027-12-02"}}),
    Case("eu-motor-insurance-decisions-not-5c", system(subjects_in=EU, domains=["insurance"], decision_role="sole", data_categories=["financial"]), {"eu": "minimal"}),
    Case("eu-iii-5a-purpose", system(subjects_in=EU, purposes=["public_benefits_eligibility"]), {"eu": "high_risk_annex_iii"}, labels={"eu": "5(a)"}),
    Case("eu-gov-services-faq-not-5a", system(subjects_in=EU, domains=["essential_gov_services"], capabilities=["chatbot"]), {"eu": "minimal"}),
    Case("eu-iii-3a-admission", system(subjects_in=EU, purposes=["education_admission"]), {"eu": "high_risk_annex_iii"}, labels={"eu": "3(a)"}),
    Case("eu-iii-3b-learning", system(subjects_in=EU, purposes=["learning_evaluation"]), {"eu": "high_risk_annex_iii"}, labels={"eu": "3(b)"}),
    Case("eu-iii-3c-level", system(subjects_in=EU, purposes=["education_level"]), {"eu": "high_risk_annex_iii"}, labels={"eu": "3(c)"}),
    Case("eu-iii-3d-proctoring-letter", system(subjects_in=EU, capabilities=["exam_proctoring"]), {"eu": "high_risk_annex_iii"}, labels={"eu": "3(d)"}),
    Case("eu-tutoring-chatbot-not-point-3", system(subjects_in=EU, domains=["education"], capabilities=["chatbot"]), {"eu": "minimal"}),
    Case("eu-iii-1b-categorisation", system(subjects_in=EU, capabilities=["biometric_categorisation"], data_categories=["biometric"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "1(b)"}),
    # Several points: all reported, the deciding one by specificity (1(a) before 6; 5(d) before 5(a); 5(b) before 4).
    Case("eu-1a-decides-over-6", system(subjects_in=EU, domains=["law_enforcement"], capabilities=["remote_biometric_id"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "1(a)"}, also={"eu": ["point 6"]}),
    Case("eu-5d-decides-over-5a", system(subjects_in=EU, purposes=["public_benefits_eligibility"], capabilities=["emergency_triage"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "5(d)"}, also={"eu": ["5(a)"]}),
    Case("eu-5b-decides-over-4a", system(subjects_in=EU, purposes=["recruitment_selection", "creditworthiness"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "5(b)"}, also={"eu": ["4(a)"]}),
    Case("eu-4a-decides-over-2", system(subjects_in=EU, domains=["critical_infrastructure"], purposes=["recruitment_selection"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "4(a)"}, also={"eu": ["point 2"]}),
    # A lettered point replaces the unlettered reading of the same point (no "point 4" beside "4(a)").
    Case("eu-4a-no-unlettered-point-4", system(subjects_in=EU, purposes=["recruitment_selection"], domains=HR, decision_role="sole", data_categories=HR),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "4(a)"}, also={"eu": []}),
    Case("eu-3a-no-unlettered-point-3", system(subjects_in=EU, purposes=["education_admission"], domains=["education"], decision_role="sole"),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "3(a)"}, also={"eu": []}),
    Case("eu-3d-and-4b-letters", system(subjects_in=EU, capabilities=["exam_proctoring", "performance_monitoring"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "3(d)"}, also={"eu": ["4(b)"]}),
    # §5.3 Art 5(1)(f): the headline says why in plain words, the law cited last.
    Case("eu-art5-f-headline", system(subjects_in=EU, domains=HR, capabilities=["emotion_recognition"]), {"eu": "prohibited"},
         pending={"eu": ""}, headline={"eu": "Prohibited because it recognises emotions at work or school (Art 5(1)(f))"}),
    # ---------------------------------------------------------------- Art 6(3), Art 50, Art 2(12), Art 25 (§5.2, 5.3)
    Case("eu-art6-3-a-narrow-procedural", system(roles=["provider"], subjects_in=EU, purposes=["learning_evaluation"], art6_3_narrow_procedural=True),
         {"eu": "not_high_risk_art6_3"}),
    Case("eu-art6-3-b-improves", system(roles=["provider"], subjects_in=EU, purposes=["education_admission"], art6_3_improves_human_activity=True),
         {"eu": "not_high_risk_art6_3"}),
    Case("eu-art6-3-c-patterns", system(roles=["provider"], subjects_in=EU, purposes=["creditworthiness"], art6_3_detects_patterns=True),
         {"eu": "not_high_risk_art6_3"}),
    Case("eu-art6-3-d-preparatory", system(roles=["provider"], subjects_in=EU, purposes=["recruitment_selection"], art6_3_preparatory=True),
         {"eu": "not_high_risk_art6_3"}),
    Case("eu-art6-3-d-profiling-stays-high-risk", system(roles=["provider"], subjects_in=EU, purposes=["recruitment_selection"], art6_3_preparatory=True, profiling=True),
         {"eu": "high_risk_annex_iii"}),
    # Art 6(3) outranks a transparency label in the headline; both are shown.
    Case("eu-art6-3-outranks-art50", system(roles=["provider"], subjects_in=EU, purposes=["recruitment_selection"], art6_3_preparatory=True, capabilities=["chatbot"], interacts_with_persons=True),
         {"eu": "not_high_risk_art6_3"}, also={"eu": ["50(1)"]}),
    # Art 50(1)-(2) bind providers; a deployer of a coding assistant is not under 50(1).
    Case("eu-coding-assistant-deployer-not-50-1", system(subjects_in=EU, domains=["software_engineering"], capabilities=["chatbot", "synthetic_content"], interacts_with_persons=True, model_type="generative_app"),
         {"eu": "minimal"}, absent={"eu": ["EU-03"]}),
    Case("eu-coding-assistant-provider-50-1", system(roles=["provider"], subjects_in=EU, domains=["software_engineering"], capabilities=["chatbot"], interacts_with_persons=True),
         {"eu": "transparency"}, labels={"eu": "50(1)"}, obligations={"eu": {"EU-03": "2026-08-02"}}),
    Case("eu-image-generator-provider-50-2", system(roles=["provider"], subjects_in=EU, capabilities=["synthetic_content"], model_type="generative_app"),
         {"eu": "transparency"}, labels={"eu": "50(2)"}),
    Case("eu-emotion-deployer-50-3", system(subjects_in=EU, domains=["marketing"], capabilities=["emotion_recognition"]),
         {"eu": "high_risk_annex_iii"}, labels={"eu": "1(c)"}, also={"eu": ["50(3)"]}),
    Case("eu-news-text-deployer-50-4", system(subjects_in=EU, domains=["marketing"], capabilities=["public_interest_text"]),
         {"eu": "transparency"}, labels={"eu": "50(4)"}, obligations={"eu": {"EU-04": "2026-08-02"}}),
    Case("eu-deep-fake-provider-not-50-4", system(roles=["provider"], subjects_in=EU, capabilities=["deep_fake"]),
         {"eu": "transparency"}, labels={"eu": "50(2)"}, absent={"eu": ["EU-04"]}),
    # Art 2(12): open source is exempt unless high-risk, prohibited or Art 50.
    Case("eu-open-source-excluded", system(roles=["provider"], subjects_in=EU, domains=["productivity"], open_source=True), {"eu": "excluded"}),
    Case("eu-open-source-high-risk-not-excluded", system(roles=["provider"], subjects_in=EU, purposes=["recruitment_selection"], open_source=True),
         {"eu": "high_risk_annex_iii"}),
    Case("eu-open-source-chatbot-not-excluded", system(roles=["provider"], subjects_in=EU, capabilities=["chatbot"], open_source=True),
         {"eu": "transparency"}),
    # Art 25(1): a deployer that brands, substantially modifies or repurposes a high-risk system is its provider.
    Case("eu-art25-own-name-provider", system(subjects_in=EU, purposes=["recruitment_selection"], art25_own_name=True),
         {"eu": "high_risk_annex_iii"}, obligations={"eu": {"EU-16": "2027-12-02", "EU-06": "2027-12-02"}}),
    Case("eu-art25-substantial-modification", system(subjects_in=EU, purposes=["creditworthiness"], art25_substantial_modification=True),
         {"eu": "high_risk_annex_iii"}, obligations={"eu": {"EU-17": "2027-12-02"}}),
    Case("eu-art25-repurposed", system(subjects_in=EU, purposes=["work_relationship_decisions"], art25_repurposed_high_risk=True),
         {"eu": "high_risk_annex_iii"}, obligations={"eu": {"EU-16": "2027-12-02"}}),
    Case("eu-deployer-no-provider-duties", system(**CV_RANKER), {"eu": "high_risk_annex_iii"}, absent={"eu": ["EU-16", "EU-17"]}),
    # ---------------------------------------------------------------- Colorado (§1.2, 1.3; SB 26-189 from 2027-01-01)
    Case("co-pending-2026-12-31", system(**CO_HIRING), {"co": "covered_pending"}, on=D(2026, 12, 31), pending={"co": "2027-01-01"},
         headline={"co": "from 2027-01-01"}),
    Case("co-in-force-2027-01-01", system(**CO_HIRING), {"co": "covered"}, on=D(2027, 1, 1), pending={"co": ""}),
    Case("co-informational-chatbot-excluded", system(subjects_in=["CO"], domains=["housing"], capabilities=["chatbot"], decision_role="material_influence", data_categories=["contact"], informational_chatbot_excluded=True),
         {"co": "excluded"}, on=D(2027, 2, 1)),
    Case("co-insurer-exempt", system(subjects_in=["CO"], domains=["insurance"], decision_role="sole", data_categories=["financial"], insurer_regulated_use=True),
         {"co": "exempt"}, on=D(2027, 2, 1)),
    Case("co-insurer-employment-not-exempt", system(**CO_HIRING, insurer_regulated_use=True), {"co": "covered"}, on=D(2027, 2, 1)),
    Case("co-hipaa-exempt", system(subjects_in=["CO"], domains=["healthcare"], decision_role="sole", data_categories=["health"], hipaa_covered_use=True),
         {"co": "exempt"}, on=D(2027, 2, 1)),
    Case("co-hipaa-employment-not-exempt", system(**CO_HIRING, hipaa_covered_use=True), {"co": "covered"}, on=D(2027, 2, 1)),
    Case("co-fda-exempt", system(subjects_in=["CO"], domains=["healthcare"], decision_role="sole", data_categories=["health"], federally_approved_use=True),
         {"co": "exempt"}, on=D(2027, 2, 1)),
    Case("co-creditor-notice-suffices", system(subjects_in=["CO"], domains=["lending_financial"], decision_role="sole", data_categories=["financial"], regulated_creditor_notice=True),
         {"co": "covered"}, on=D(2027, 2, 1), obligations={"co": {"CO-04": "2027-01-01"}}, absent={"co": ["CO-05"]}),
    Case("co-ferpa-process-suffices", system(subjects_in=["CO"], domains=["education"], decision_role="sole", data_categories=["education"], ferpa_process=True),
         {"co": "covered"}, on=D(2027, 2, 1), absent={"co": ["CO-05", "CO-06", "CO-07"]}),
    Case("co-healthcare-without-hipaa-no-patient-notice", system(subjects_in=["CO"], domains=["healthcare"], decision_role="sole", data_categories=["health"]),
         {"co": "covered"}, on=D(2027, 2, 1), absent={"co": ["CO-11"]}),
    # ---------------------------------------------------------------- Connecticut (§2.3, 2.4, 2.8)
    Case("ct-aedt-pending-2026-09-30", system(subjects_in=["CT"], domains=HR, decision_role="sole", data_categories=HR), {"ct": "aedt"}, on=D(2026, 9, 30),
         pending={"ct": "2026-10-01"}),
    Case("ct-aedt-in-force-2026-10-01", system(subjects_in=["CT"], domains=HR, decision_role="sole", data_categories=HR), {"ct": "aedt"}, on=D(2026, 10, 1),
         pending={"ct": ""}, obligations={"ct": {"CT-05": "2027-10-01"}}),
    Case("ct-notice-duties-2027-09-30", system(subjects_in=["CT"], domains=HR, decision_role="sole", data_categories=HR), {"ct": "aedt"}, on=D(2027, 9, 30),
         obligations={"ct": {"CT-05": "2027-10-01", "CT-04": "2027-10-01"}}),
    Case("ct-profiling-pending-2026-07-31", system(subjects_in=["CT"], domains=["healthcare"], profiling=True, data_categories=["health"]),
         {"ct": "profiling_ia"}, on=D(2026, 7, 31), pending={"ct": "2026-08-01"}),
    Case("ct-profiling-in-force-2026-08-01", system(subjects_in=["CT"], domains=["healthcare"], profiling=True, data_categories=["health"]),
         {"ct": "profiling_ia"}, on=D(2026, 8, 1), pending={"ct": ""}),
    Case("ct-companion-pending-2026-12-31", system(subjects_in=["CT"], capabilities=["companion_chatbot"]), {"ct": "companion"}, on=D(2026, 12, 31),
         pending={"ct": "2027-01-01"}),
    Case("ct-companion-in-force-2027-01-01", system(subjects_in=["CT"], capabilities=["companion_chatbot"]), {"ct": "companion"}, on=D(2027, 1, 1), pending={"ct": ""}),
    Case("ct-scheduling-not-aedt", system(subjects_in=["CT"], domains=HR, decision_role="sole", data_categories=HR, employment_decision_kind="scheduling"),
         {"ct": "excluded"}, absent={"ct": ["CT-05"]}),
    Case("ct-productivity-monitoring-not-aedt", system(subjects_in=["CT"], domains=HR, decision_role="sole", data_categories=HR, employment_decision_kind="productivity_monitoring"),
         {"ct": "excluded"}),
    Case("ct-minor-changes-not-aedt", system(subjects_in=["CT"], domains=HR, decision_role="substantial_factor", data_categories=HR, employment_decision_kind="minor_changes"),
         {"ct": "excluded"}),
    Case("ct-health-safety-not-aedt", system(subjects_in=["CT"], domains=HR, decision_role="sole", data_categories=HR, employment_decision_kind="health_safety"),
         {"ct": "excluded"}),
    Case("ct-consequential-decision-aedt", system(subjects_in=["CT"], domains=HR, decision_role="substantial_factor", data_categories=HR, employment_decision_kind="consequential"),
         {"ct": "aedt"}, obligations={"ct": {"CT-01": "2026-10-01"}}),
    # ---------------------------------------------------------------- Maryland (§3.2, 3.3)
    Case("md-non-maryland-agency-never-md", system(subjects_in=["MD"], domains=HR, decision_role="sole", data_categories=HR),
         {"md": "not_applicable"}, org=org(org_kind="state_agency", agency_state="VA", does_business_in=["MD"])),
    Case("md-maryland-agency-by-state", system(domains=HR, decision_role="sole", data_categories=HR),
         {"md": "high_risk"}, org=org(org_kind="state_agency", agency_state="MD", org_unit="Department of Human Services")),
    Case("md-comptroller-exempt-unit", system(subjects_in=["MD"], domains=["essential_gov_services"], decision_role="sole"),
         {"md": "exempt_unit"}, org=org(org_kind="state_agency", agency_state="MD", md_exempt_unit="comptroller"),
         obligations={"md": {"MD-06": "2024-07-01"}}, absent={"md": ["MD-02", "MD-03"]}),
    Case("md-treasurer-exempt-unit", system(domains=HR, decision_role="sole"), {"md": "exempt_unit"},
         org=org(org_kind="state_agency", agency_state="MD", md_exempt_unit="treasurer")),
    Case("md-version-pending-2024-06-30", system(subjects_in=["MD"], domains=HR, decision_role="sole"), {"md": "high_risk"}, org=MD_AGENCY,
         on=D(2024, 6, 30), pending={"md": "2024-07-01"}),
    Case("md-in-force-2024-07-01", system(subjects_in=["MD"], domains=HR, decision_role="sole"), {"md": "high_risk"}, org=MD_AGENCY,
         on=D(2024, 7, 1), pending={"md": ""}),
    # ---------------------------------------------------------------- California CPPA (§4A, 4D)
    # Existing ADMT uses comply by 2027-01-01 (day before pending, day of in force).
    Case("ca-admt-existing-pending-2026-12-31", system(subjects_in=["CA"], domains=HR, decision_role="sole", data_categories=HR), {"ca": "admt_significant"},
         org=CA_ORG, on=D(2026, 12, 31), pending={"ca": "2027-01-01"}),
    Case("ca-admt-existing-in-force-2027-01-01", system(subjects_in=["CA"], domains=HR, decision_role="sole", data_categories=HR), {"ca": "admt_significant"},
         org=CA_ORG, on=D(2027, 1, 1), pending={"ca": ""}),
    Case("ca-admt-started-2026-by-date", system(subjects_in=["CA"], domains=HR, decision_role="sole", data_categories=HR, lifecycle="planned", use_started_on="2026-06-01"),
         {"ca": "admt_significant"}, org=CA_ORG, on=D(2026, 12, 4), pending={"ca": "2027-01-01"}, obligations={"ca": {"CA-06": "2027-01-01"}}),
    # A new use complies when it begins (use starting 2027-03-01).
    Case("ca-admt-new-use-pending-2027-02-28", system(subjects_in=["CA"], domains=["housing"], decision_role="sole", data_categories=["financial"], lifecycle="planned", use_started_on="2027-03-01"),
         {"ca": "admt_significant"}, org=CA_ORG, on=D(2027, 2, 28), pending={"ca": "2027-03-01"}, obligations={"ca": {"CA-06": "2027-03-01"}}),
    Case("ca-admt-new-use-in-force-2027-03-01", system(subjects_in=["CA"], domains=["housing"], decision_role="sole", data_categories=["financial"], lifecycle="planned", use_started_on="2027-03-01"),
         {"ca": "admt_significant"}, org=CA_ORG, on=D(2027, 3, 1), pending={"ca": ""}),
    Case("ca-regs-pending-2025-12-31", system(subjects_in=["CA"], domains=["healthcare"], decision_role="supportive", data_categories=["health"]), {"ca": "risk_assessment"},
         org=CA_ORG, on=D(2025, 12, 31), pending={"ca": "2026-01-01"}),
    Case("ca-regs-in-force-2026-01-01", system(subjects_in=["CA"], domains=["healthcare"], decision_role="supportive", data_categories=["health"]), {"ca": "risk_assessment"},
         org=CA_ORG, on=D(2026, 1, 1), pending={"ca": ""}),
    # §7150(b)(4): systematic observation is its own fact; profiling alone is not the trigger.
    Case("ca-systematic-observation-triggers", system(subjects_in=["CA"], domains=HR, decision_role="supportive", data_categories=HR, systematic_observation=True),
         {"ca": "risk_assessment"}, org=CA_ORG, labels={"ca": "inferring traits"}),
    Case("ca-profiling-alone-no-trigger", system(subjects_in=["CA"], domains=HR, decision_role="supportive", data_categories=HR, profiling=True),
         {"ca": "no_trigger"}, org=CA_ORG),
    Case("ca-nonprofit-not-business", system(subjects_in=["CA"], domains=HR, decision_role="sole", data_categories=HR),
         {"ca": "not_applicable"}, org=org(annual_revenue_usd=90_000_000, does_business_in=["CA"], business_status="nonprofit")),
    Case("ca-service-provider-not-business", system(subjects_in=["CA"], domains=HR, decision_role="sole", data_categories=HR),
         {"ca": "not_applicable"}, org=org(annual_revenue_usd=90_000_000, does_business_in=["CA"], business_status="service_provider")),
    Case("ca-for-profit-business", system(subjects_in=["CA"], domains=HR, decision_role="sole", data_categories=HR),
         {"ca": "admt_significant"}, org=org(annual_revenue_usd=90_000_000, does_business_in=["CA"], business_status="for_profit")),
    Case("ca-pre-2026-processing-assessment", system(subjects_in=["CA"], domains=["healthcare"], data_categories=["health"], lifecycle="planned", use_started_on="2025-05-01"),
         {"ca": "risk_assessment"}, org=CA_ORG, obligations={"ca": {"CA-02": "2026-01-01"}}),
    Case("ca-2026-processing-no-ca-02", system(subjects_in=["CA"], domains=["healthcare"], data_categories=["health"], use_started_on="2026-03-01"),
         {"ca": "risk_assessment"}, org=CA_ORG, absent={"ca": ["CA-02"]}),
    # ---------------------------------------------------------------- SB 53 (§4B: revenue incl. affiliates)
    Case("sb53-large-by-affiliates", system(roles=["developer"], subjects_in=["CA"], model_type="general_purpose", training_ops=2e26),
         {"ca-sb53": "large_frontier"}, org=org(annual_revenue_usd=100_000_000, revenue_incl_affiliates_usd=700_000_000, does_business_in=["CA"])),
    Case("sb53-affiliates-below-threshold", system(roles=["developer"], subjects_in=["CA"], model_type="general_purpose", training_ops=2e26),
         {"ca-sb53": "frontier"}, org=org(annual_revenue_usd=100_000_000, revenue_incl_affiliates_usd=450_000_000, does_business_in=["CA"])),
    Case("sb53-not-in-force-2025-12-31", system(roles=["developer"], subjects_in=["CA"], model_type="general_purpose", training_ops=2e26),
         {"ca-sb53": "frontier"}, org=org(does_business_in=["CA"]), on=D(2025, 12, 31), pending={"ca-sb53": "2026-01-01"}),
    Case("sb53-in-force-2026-01-01", system(roles=["developer"], subjects_in=["CA"], model_type="general_purpose", training_ops=2e26),
         {"ca-sb53": "frontier"}, org=org(does_business_in=["CA"]), on=D(2026, 1, 1), pending={"ca-sb53": ""}),
    # ---------------------------------------------------------------- across regimes on today's date
    Case("cv-ranker-everywhere-today", system(subjects_in=["EU", "CO", "CT", "CA"], purposes=["recruitment_selection"], domains=HR, decision_role="substantial_factor", data_categories=HR),
         {"eu": "high_risk_annex_iii", "co": "covered_pending", "ct": "aedt", "ca": "no_trigger"}, org=org(annual_revenue_usd=40_000_000, does_business_in=["EU", "CO", "CT", "CA"]),
         on=D(2026, 12, 4), pending={"eu": "2027-12-02", "co": "2027-01-01", "ct": ""}),
]  # fmt: skip


def test_table_is_large_enough_and_ids_unique():
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_classification(case: Case):
    for regime, expected in case.expect.items():
        content = version(regime, case.on, case.versions.get(regime))
        result = evaluate(facts=case.system, org=case.org, version=content, on=case.on)
        assert result.outcome == expected, f"{regime}: {result.outcome} ≠ {expected}\n" + "\n".join(
            f"  {r.met!s:5} {r.rule_id}: {r.deciding_fact}" for r in result.rationale
        )
        assert result.applies == (expected != content.not_applicable_outcome)
        if regime in case.labels:
            assert case.labels[regime] in result.outcome_label
        by_ref = {o.ref: o for o in result.obligations}
        for ref, start in case.obligations.get(regime, {}).items():
            assert ref in by_ref, f"{regime}: {ref} not triggered; got {sorted(by_ref)}"
            assert by_ref[ref].effective_from.isoformat() == start
            assert by_ref[ref].in_force == (by_ref[ref].effective_from <= case.on)
        for ref in case.absent.get(regime, []):
            assert ref not in by_ref, f"{regime}: {ref} should not trigger"
        if regime in case.pending:
            expected_pending = case.pending[regime]
            assert result.pending == bool(expected_pending), (regime, result.in_force_from)
            if expected_pending:
                assert result.in_force_from.isoformat() == expected_pending
                assert f"from {expected_pending}" in result.headline
            else:
                assert result.in_force_from <= case.on
        if regime in case.headline:
            assert case.headline[regime] in result.headline, result.headline
        for text in case.also.get(regime, []):
            assert any(text in a["label"] for a in result.also), [a["label"] for a in result.also]
        if case.also.get(regime) == []:  # an empty list: nothing else matched
            assert result.also == [], [a["label"] for a in result.also]
        # The deciding rule is in the rationale, met, with a citation and URL.
        if result.deciding_rule:
            row = next(r for r in result.rationale if r.rule_id == result.deciding_rule)
            assert row.met and row.citation and row.url.startswith("http")
        json.dumps(result.to_dict())  # storable as JSON
