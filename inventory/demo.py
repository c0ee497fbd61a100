"""Demo inventory: systems chosen so that every regime and risk tier has something to say."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from inventory.models import AISystem, Vendor
from inventory.services import ai_system_create, vendor_create

VENDORS = [
    {"name": "HireLogic Inc.", "website": "https://hirelogic.example.com", "contact_name": "Dana Reyes",
     "contact_email": "compliance@hirelogic.example.com", "is_ai_developer": True,
     "notes": "Résumé-screening SaaS; developer documentation requested 2026-09."},
    {"name": "Conversa AI", "website": "https://conversa.example.com", "contact_name": "Liam Chen",
     "contact_email": "trust@conversa.example.com", "is_ai_developer": True,
     "notes": "Customer-support chatbot platform built on a third-party LLM."},
    {"name": "EmotiQ GmbH", "website": "https://emotiq.example.de", "contact_name": "Jonas Weber",
     "contact_email": "legal@emotiq.example.de", "is_ai_developer": True,
     "notes": "Workplace sentiment and emotion analytics from webcam video."},
    {"name": "RentScore LLC", "website": "https://rentscore.example.com", "contact_name": "Maria Lopez",
     "contact_email": "privacy@rentscore.example.com", "is_ai_developer": True, "notes": ""},
    {"name": "CivicAI Solutions", "website": "https://civicai.example.gov", "contact_name": "Ben Okafor",
     "contact_email": "contracts@civicai.example.gov", "is_ai_developer": True,
     "notes": "Builds eligibility triage for state agencies."},
    {"name": "SecureVision", "website": "https://securevision.example.com", "contact_name": "Eva Novak",
     "contact_email": "support@securevision.example.com", "is_ai_developer": True, "notes": ""},
    {"name": "ProctorWise", "website": "https://proctorwise.example.com", "contact_name": "Sam Patel",
     "contact_email": "dpo@proctorwise.example.com", "is_ai_developer": True, "notes": ""},
    {"name": "GitHub (Microsoft)", "website": "https://github.com", "contact_name": "",
     "contact_email": "", "is_ai_developer": True, "notes": "Enterprise agreement via Microsoft."},
    {"name": "OpenAI", "website": "https://openai.com", "contact_name": "",
     "contact_email": "", "is_ai_developer": True, "notes": "Enterprise tier: no training on our data."},
    {"name": "Northwind Systems Integration", "website": "https://northwind.example.com",
     "contact_name": "Ian Brooks", "contact_email": "ian@northwind.example.com",
     "is_ai_developer": False, "notes": "Reseller and installer; not the developer of the AI."},
]  # fmt: skip

# (owner username, vendor name or None, field data)
SYSTEMS = [
    ("officer", "HireLogic Inc.", {
        "name": "TalentMatch résumé screening", "team": "People Operations",
        "description": "Ranks inbound applications for engineering and sales roles; recruiters see the top 50.",
        "models_used": ["HireLogic Ranker v4"], "model_type": "ml_classifier",
        "lifecycle": "in_use", "sanction_status": "sanctioned", "roles": ["deployer"],
        "jurisdictions": ["CO", "DE"], "domains": ["employment"], "decision_role": "substantial_factor",
        "human_review": True, "capabilities": ["recruitment_screening"],
        "purposes": ["recruitment_selection"], "employment_decision_kind": "consequential",
        "data_categories": ["contact", "employment", "education"], "profiling": True,
        "interacts_with_persons": False, "consumer_facing": False, "tags": ["hiring", "saas"]}),
    ("officer2", None, {
        "name": "CreditLens credit scoring", "team": "Consumer Lending",
        "description": "In-house gradient-boosted model scoring personal-loan applicants; underwriters decide.",
        "models_used": ["creditlens-xgb-2026.2"], "model_type": "ml_classifier",
        "lifecycle": "in_use", "sanction_status": "sanctioned", "roles": ["developer", "deployer"],
        "jurisdictions": ["CO", "EU", "IE"], "domains": ["lending_financial"],
        "decision_role": "substantial_factor", "human_review": True, "capabilities": ["credit_scoring"],
        "purposes": ["creditworthiness"],
        "data_categories": ["financial", "identifiers", "contact"], "profiling": True,
        "consumer_facing": True, "tags": ["lending", "in-house"]}),
    ("officer", "Conversa AI", {
        "name": "Aria customer-support chatbot", "team": "Customer Care",
        "description": "Answers order and account questions on the website and app; hands off to agents.",
        "models_used": ["Conversa Assist", "GPT-4o (via Conversa)"], "model_type": "generative_app",
        "lifecycle": "in_use", "sanction_status": "sanctioned", "roles": ["deployer"],
        "jurisdictions": ["EU", "FR", "CA"], "domains": ["customer_service"], "decision_role": "none",
        "capabilities": ["chatbot", "synthetic_content"], "consumer_facing": True,
        "interacts_with_persons": True, "data_categories": ["contact", "communications"],
        "tags": ["chatbot", "customer-facing"]}),
    ("officer2", "EmotiQ GmbH", {
        "name": "MoodSense workplace emotion analytics", "team": "Workplace Experience",
        "description": "Pilot proposal: infer employee engagement and stress from meeting video.",
        "models_used": ["EmotiQ Affect"], "model_type": "computer_vision",
        "lifecycle": "planned", "sanction_status": "blocked", "roles": ["deployer"],
        "jurisdictions": ["EU", "DE", "NL"], "domains": ["employment"], "decision_role": "supportive",
        "capabilities": ["emotion_recognition", "performance_monitoring"],
        "interacts_with_persons": True, "data_categories": ["biometric", "employment"],
        "profiling": True, "tags": ["prohibited-practice", "pilot"]}),
    ("officer", "RentScore LLC", {
        "name": "NestCheck tenant screening", "team": "Residential Leasing",
        "description": "Scores rental applicants on payment history, eviction and criminal records.",
        "models_used": ["RentScore 3"], "model_type": "ml_classifier",
        "lifecycle": "in_use", "sanction_status": "under_review", "roles": ["deployer"],
        "jurisdictions": ["CO"], "domains": ["housing"], "decision_role": "substantial_factor",
        "capabilities": [], "consumer_facing": True,
        "data_categories": ["financial", "criminal", "identifiers"], "profiling": True,
        "tags": ["housing"]}),
    ("admin", "CivicAI Solutions", {
        "name": "Maryland benefits eligibility triage", "team": "State Benefits Programme",
        "description": "Triage of SNAP and Medicaid renewals for a Maryland state agency; caseworkers decide.",
        "models_used": ["CivicAI Triage 2"], "model_type": "ml_classifier",
        "lifecycle": "in_use", "sanction_status": "sanctioned", "roles": ["public_agency", "deployer"],
        "jurisdictions": ["MD"], "domains": ["essential_gov_services"],
        "decision_role": "material_influence", "human_review": True, "consumer_facing": True,
        "data_categories": ["financial", "health", "government_id", "contact"], "profiling": True,
        "tags": ["public-sector", "benefits"]}),
    ("officer2", None, {
        "name": "Life & health underwriting pricing model", "team": "Insurance Pricing",
        "description": "Prices life and health policies from medical questionnaire answers and claims history.",
        "models_used": ["uw-glm-2025", "uw-gbm-2026"], "model_type": "ml_classifier",
        "lifecycle": "in_use", "sanction_status": "sanctioned", "roles": ["developer", "deployer"],
        "jurisdictions": ["EU", "DE", "NL"], "domains": ["insurance_life_health", "insurance"],
        "decision_role": "substantial_factor", "capabilities": ["insurance_pricing"],
        "purposes": ["life_health_insurance_pricing"],
        "consumer_facing": True, "data_categories": ["health", "financial", "identifiers"],
        "profiling": True, "tags": ["insurance", "in-house"]}),
    ("buyer", "SecureVision", {
        "name": "FaceGate door access", "team": "Facilities",
        "description": "Face verification at office entrances; badge fallback for anyone who opts out.",
        "models_used": ["SecureVision FaceID 7"], "model_type": "computer_vision",
        "lifecycle": "in_use", "sanction_status": "under_review", "roles": ["deployer"],
        "jurisdictions": ["EU", "IE", "CA"], "domains": ["biometrics"], "decision_role": "sole",
        "capabilities": [], "interacts_with_persons": True,
        "data_categories": ["biometric", "identifiers"], "tags": ["biometric-verification", "facilities"]}),
    ("officer", "ProctorWise", {
        "name": "ProctorWise exam proctoring", "team": "Academy (Certification)",
        "description": "Flags suspected cheating in online certification exams for human review.",
        "models_used": ["ProctorWise Vision"], "model_type": "computer_vision",
        "lifecycle": "in_use", "sanction_status": "sanctioned", "roles": ["deployer"],
        "jurisdictions": ["CA", "EU", "ES"], "domains": ["education"],
        "decision_role": "material_influence", "human_review": True,
        "capabilities": ["exam_proctoring"], "consumer_facing": True, "interacts_with_persons": True,
        "data_categories": ["biometric", "education", "behavioural"], "tags": ["education"]}),
    ("admin", None, {
        "name": "Atlas-3 frontier model fine-tune", "team": "Research",
        "description": "Continued pre-training and fine-tune of an open-weight base model for internal agents.",
        "models_used": ["atlas-3-base"], "model_type": "general_purpose",
        "lifecycle": "in_development", "sanction_status": "under_review",
        "roles": ["developer", "provider"], "jurisdictions": ["CA", "EU"],
        "domains": [], "decision_role": "none", "capabilities": ["synthetic_content"],
        "training_flops": 3e26, "tags": ["frontier", "gpai"]}),
    ("officer2", "GitHub (Microsoft)", {
        "name": "GitHub Copilot", "team": "Engineering",
        "description": "Code completion and chat in IDEs for all engineers.",
        "models_used": ["Copilot (GPT-4.1 and Claude models)"], "model_type": "generative_app",
        "lifecycle": "in_use", "sanction_status": "sanctioned", "roles": ["deployer"],
        "jurisdictions": ["CO", "CA", "EU", "DE"], "domains": [], "decision_role": "none",
        "capabilities": [], "interacts_with_persons": True, "data_categories": [],
        "tags": ["productivity", "developer-tools"]}),
    ("officer", "OpenAI", {
        "name": "ChatGPT Enterprise", "team": "All staff",
        "description": "General-purpose assistant for drafting, summarising and research; no customer data.",
        "models_used": ["GPT-4o", "o3"], "model_type": "generative_app",
        "lifecycle": "in_use", "sanction_status": "sanctioned", "roles": ["deployer"],
        "jurisdictions": ["CO", "CT", "CA", "EU"], "domains": [], "decision_role": "none",
        "capabilities": ["chatbot"], "interacts_with_persons": True,
        "data_categories": ["communications"], "tags": ["productivity"]}),
    ("officer2", None, {
        "name": "Sentinel fraud detection (legacy)", "team": "Payments Risk",
        "description": "Rules plus logistic regression for card fraud; replaced by the vendor platform in 2025.",
        "models_used": ["sentinel-lr-2019"], "model_type": "ml_classifier",
        "lifecycle": "retired", "sanction_status": "sanctioned", "roles": ["developer", "deployer"],
        "jurisdictions": ["CO", "EU"], "domains": ["lending_financial"], "decision_role": "supportive",
        "human_review": True, "capabilities": ["fraud_detection"],
        "data_categories": ["financial", "identifiers"], "tags": ["retired", "in-house"]}),
    ("officer", None, {
        "name": "Patient intake symptom checker", "team": "Clinics",
        "description": "Chat-based intake that suggests an appointment type; a nurse reviews every case.",
        "models_used": ["Claude (via AWS Bedrock)"], "model_type": "generative_app",
        "lifecycle": "in_development", "sanction_status": "under_review", "roles": ["developer", "deployer"],
        "jurisdictions": ["CT", "MD"], "domains": ["healthcare"], "decision_role": "supportive",
        "human_review": True, "capabilities": ["chatbot"], "consumer_facing": True,
        "interacts_with_persons": True, "data_categories": ["health", "contact"],
        "tags": ["healthcare", "chatbot"]}),
    ("buyer", None, {
        "name": "Wordsmith marketing copy generator", "team": "Marketing",
        "description": "Seen in proxy logs: marketing staff generating campaign copy and images.",
        "models_used": [], "model_type": "generative_app", "origin": "discovered",
        "provenance": "Found in web-proxy logs (squid) during the October 2026 review.",
        "lifecycle": "in_use", "sanction_status": "unsanctioned", "roles": ["deployer"],
        "jurisdictions": ["CA", "CT"], "domains": ["marketing"], "decision_role": "none",
        "capabilities": ["synthetic_content"], "consumer_facing": True,
        "data_categories": ["contact", "behavioural"], "tags": ["shadow-ai", "marketing"]}),
    ("officer2", None, {
        "name": "Call-centre voice analytics", "team": "Customer Care",
        "description": "Transcribes and scores support calls for quality coaching; agents see their scores.",
        "models_used": ["Whisper large-v3", "qa-scorer-1"], "model_type": "speech",
        "lifecycle": "in_use", "sanction_status": "under_review", "roles": ["developer", "deployer"],
        "jurisdictions": ["CT", "CO"], "domains": ["employment", "customer_service"],
        "decision_role": "supportive", "human_review": True,
        "capabilities": ["performance_monitoring"], "interacts_with_persons": True,
        "data_categories": ["communications", "employment"], "profiling": True,
        "tags": ["call-centre"]}),
]  # fmt: skip


def _actor():
    """Demo rows are attributed to the admin, so the audit trail shows who seeded them."""
    return get_user_model().objects.filter(username="admin").first() or "seed_demo"


def seed(*, stdout) -> None:
    actor = _actor()
    users = {u.username: u for u in get_user_model().objects.all()}
    vendors_made = systems_made = 0
    for data in VENDORS:
        if not Vendor.objects.filter(name=data["name"]).exists():
            vendor_create(actor=actor, data=data)
            vendors_made += 1
    vendors = {v.name: v for v in Vendor.objects.all()}
    now = timezone.now()
    for owner, vendor, data in SYSTEMS:
        if AISystem.objects.filter(name=data["name"]).exists():
            continue
        fields = dict(data, owner=users.get(owner), vendor=vendors[vendor] if vendor else None)
        if fields.get("origin") == "discovered":
            fields.update(
                first_seen=now - dt.timedelta(days=41), last_seen=now - dt.timedelta(days=1)
            )
        ai_system_create(actor=actor, data=fields)
        systems_made += 1
    stdout.write(f"Inventory: {vendors_made} vendor(s) and {systems_made} system(s) created.")
