"""Vocabulary shared by the inventory and the regime content (shared/reference/regimes.md, "Inventory fields")."""

from django.db import models


class OurRole(models.TextChoices):
    DEVELOPER = "developer", "Developer"
    DEPLOYER = "deployer", "Deployer"
    PROVIDER = "provider", "Provider"
    IMPORTER_DISTRIBUTOR = "importer_distributor", "Importer / distributor"
    PUBLIC_AGENCY = "public_agency", "Public agency"


EU_MEMBER_STATES = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
]  # fmt: skip


class Jurisdiction(models.TextChoices):
    CO = "CO", "Colorado"
    CT = "CT", "Connecticut"
    MD = "MD", "Maryland"
    CA = "CA", "California"
    EU = "EU", "European Union (any member state)"
    AT = "AT", "EU: Austria"
    BE = "BE", "EU: Belgium"
    BG = "BG", "EU: Bulgaria"
    HR = "HR", "EU: Croatia"
    CY = "CY", "EU: Cyprus"
    CZ = "CZ", "EU: Czechia"
    DK = "DK", "EU: Denmark"
    EE = "EE", "EU: Estonia"
    FI = "FI", "EU: Finland"
    FR = "FR", "EU: France"
    DE = "DE", "EU: Germany"
    GR = "GR", "EU: Greece"
    HU = "HU", "EU: Hungary"
    IE = "IE", "EU: Ireland"
    IT = "IT", "EU: Italy"
    LV = "LV", "EU: Latvia"
    LT = "LT", "EU: Lithuania"
    LU = "LU", "EU: Luxembourg"
    MT = "MT", "EU: Malta"
    NL = "NL", "EU: Netherlands"
    PL = "PL", "EU: Poland"
    PT = "PT", "EU: Portugal"
    RO = "RO", "EU: Romania"
    SK = "SK", "EU: Slovakia"
    SI = "SI", "EU: Slovenia"
    ES = "ES", "EU: Spain"
    SE = "SE", "EU: Sweden"


class Domain(models.TextChoices):
    EMPLOYMENT = "employment", "Employment"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    LENDING_FINANCIAL = "lending_financial", "Lending / financial services"
    INSURANCE = "insurance", "Insurance"
    INSURANCE_LIFE_HEALTH = "insurance_life_health", "Life and health insurance"
    HEALTHCARE = "healthcare", "Healthcare"
    LEGAL_SERVICES = "legal_services", "Legal services"
    ESSENTIAL_GOV_SERVICES = "essential_gov_services", "Essential government services"
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", "Critical infrastructure"
    BIOMETRICS = "biometrics", "Biometrics"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    MIGRATION = "migration", "Migration, asylum, border control"
    JUSTICE = "justice", "Administration of justice"
    DEMOCRATIC_PROCESSES = "democratic_processes", "Democratic processes"
    MARKETING = "marketing", "Marketing"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    SOFTWARE_ENGINEERING = "software_engineering", "Software engineering"
    PRODUCTIVITY = "productivity", "General productivity"
    SECURITY = "security", "IT security"


class DecisionRole(models.TextChoices):
    SOLE = "sole", "Sole (no meaningful human involvement)"
    SUBSTANTIAL_FACTOR = "substantial_factor", "Substantial factor"
    MATERIAL_INFLUENCE = "material_influence", "Material influence"
    SUPPORTIVE = "supportive", "Supportive (summarise, organise, draft for human review)"
    INCIDENTAL = "incidental", "Incidental"
    NONE = "none", "None"


class ModelType(models.TextChoices):
    GENERAL_PURPOSE = "general_purpose", "General-purpose model (GPAI / foundation model)"
    GENERATIVE_APP = "generative_app", "Generative AI application"
    ML_CLASSIFIER = "ml_classifier", "ML classifier / scoring model"
    RECOMMENDER = "recommender", "Recommender / ranking"
    COMPUTER_VISION = "computer_vision", "Computer vision"
    SPEECH = "speech", "Speech / voice"
    RULES = "rules", "Rules-based (no machine learning)"
    OTHER = "other", "Other"


class Capability(models.TextChoices):
    """What the system does, as far as the law cares (EU Art 5, Art 50, Annex III; state chatbot rules)."""

    CHATBOT = "chatbot", "Chatbot / conversational agent"
    COMPANION_CHATBOT = "companion_chatbot", "Companion chatbot"
    SYNTHETIC_CONTENT = "synthetic_content", "Generates synthetic audio, image, video or text"
    DEEP_FAKE = "deep_fake", "Generates deep fakes"
    PUBLIC_INTEREST_TEXT = "public_interest_text", "Publishes AI text on matters of public interest"
    EMOTION_RECOGNITION = "emotion_recognition", "Emotion recognition"
    BIOMETRIC_CATEGORISATION = "biometric_categorisation", "Biometric categorisation"
    REMOTE_BIOMETRIC_ID = "remote_biometric_id", "Remote biometric identification"
    REALTIME_REMOTE_BIOMETRIC_ID_PUBLIC = (
        "realtime_remote_biometric_id_public",
        "Real-time remote biometric ID in public spaces",
    )
    MANIPULATIVE_TECHNIQUES = "manipulative_techniques", "Manipulative or deceptive techniques"
    EXPLOITS_VULNERABILITIES = "exploits_vulnerabilities", "Exploits vulnerabilities of groups"
    SOCIAL_SCORING = "social_scoring", "Social scoring"
    CRIME_PREDICTION_PROFILING = "crime_prediction_profiling", "Crime prediction from profiling"
    FACIAL_IMAGE_SCRAPING = "facial_image_scraping", "Untargeted facial-image scraping"
    NCII = "ncii", "Non-consensual intimate imagery"
    CSAM = "csam", "Child sexual abuse material"
    SAFETY_COMPONENT = "safety_component", "Safety component of a regulated product"
    CREDIT_SCORING = "credit_scoring", "Credit scoring / creditworthiness"
    FRAUD_DETECTION = "fraud_detection", "Fraud detection"
    RECRUITMENT_SCREENING = "recruitment_screening", "Recruitment, screening or hiring decisions"
    PERFORMANCE_MONITORING = "performance_monitoring", "Worker performance monitoring"
    EMERGENCY_TRIAGE = "emergency_triage", "Emergency call triage"
    INSURANCE_PRICING = "insurance_pricing", "Insurance risk assessment and pricing"
    EXAM_PROCTORING = "exam_proctoring", "Exam proctoring / evaluating learners"
    TOOL_USE = "tool_use", "Calls tools or takes actions (agents, function calling)"
    RETRIEVAL = "retrieval", "Retrieves documents into its prompts (RAG, vector search)"


class DataCategory(models.TextChoices):
    CONTACT = "contact", "Contact details"
    IDENTIFIERS = "identifiers", "Identifiers (IDs, account numbers)"
    FINANCIAL = "financial", "Financial"
    EMPLOYMENT = "employment", "Employment / HR"
    EDUCATION = "education", "Education records"
    LOCATION = "location", "Precise geolocation"
    BEHAVIOURAL = "behavioural", "Behavioural / usage"
    COMMUNICATIONS = "communications", "Communications content"
    HEALTH = "health", "Health (sensitive)"
    BIOMETRIC = "biometric", "Biometric (sensitive)"
    GENETIC = "genetic", "Genetic (sensitive)"
    RACIAL_ETHNIC = "racial_ethnic", "Racial or ethnic origin (sensitive)"
    RELIGIOUS = "religious", "Religious beliefs (sensitive)"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sex life / sexual orientation (sensitive)"
    POLITICAL = "political", "Political opinions (sensitive)"
    UNION_MEMBERSHIP = "union_membership", "Union membership (sensitive)"
    CHILDREN = "children", "Children's data (sensitive)"
    GOVERNMENT_ID = "government_id", "Government ID numbers (sensitive)"
    CRIMINAL = "criminal", "Criminal records (sensitive)"


SENSITIVE_DATA = {
    DataCategory.HEALTH, DataCategory.BIOMETRIC, DataCategory.GENETIC, DataCategory.RACIAL_ETHNIC,
    DataCategory.RELIGIOUS, DataCategory.SEXUAL_ORIENTATION, DataCategory.POLITICAL,
    DataCategory.UNION_MEMBERSHIP, DataCategory.CHILDREN, DataCategory.GOVERNMENT_ID,
    DataCategory.CRIMINAL,
}  # fmt: skip


class Purpose(models.TextChoices):
    """The intended purposes Annex III lists (EU AI Act Art 6(2)): a point fires on its purpose."""

    EDUCATION_ADMISSION = "education_admission", "Admission or access to education (Annex III 3(a))"
    LEARNING_EVALUATION = (
        "learning_evaluation",
        "Evaluating learning outcomes or steering learning (Annex III 3(b))",
    )
    EDUCATION_LEVEL = (
        "education_level",
        "Assessing the level of education to receive (Annex III 3(c))",
    )
    RECRUITMENT_SELECTION = (
        "recruitment_selection",
        "Recruitment or selection: job ads, filtering or ranking applications, evaluating "
        "candidates (Annex III 4(a))",
    )
    WORK_RELATIONSHIP_DECISIONS = (
        "work_relationship_decisions",
        "Decisions on promotion, termination or task allocation; monitoring or evaluating "
        "workers (Annex III 4(b))",
    )
    PUBLIC_BENEFITS_ELIGIBILITY = (
        "public_benefits_eligibility",
        "Eligibility for public assistance benefits and services (Annex III 5(a))",
    )
    CREDITWORTHINESS = (
        "creditworthiness",
        "Creditworthiness evaluation or credit scoring of natural persons (Annex III 5(b))",
    )
    LIFE_HEALTH_INSURANCE_PRICING = (
        "life_health_insurance_pricing",
        "Risk assessment and pricing in life or health insurance (Annex III 5(c))",
    )


class EmploymentDecision(models.TextChoices):
    """Connecticut PA 26-15: only an employment-related decision makes a tool an AEDT."""

    CONSEQUENTIAL = (
        "consequential",
        "Hire, promote, discipline, discharge, renew, select for training, or materially change terms",
    )
    SCHEDULING = "scheduling", "Scheduling"
    PRODUCTIVITY_MONITORING = "productivity_monitoring", "Productivity monitoring"
    MINOR_CHANGES = "minor_changes", "Minor changes to tasks, hours or assignments"
    HEALTH_SAFETY = "health_safety", "Health and safety"


class Regime(models.TextChoices):
    """The regimes whose classification the inventory shows and filters by (codes of the content)."""

    EU = "eu", "EU AI Act"
    CO = "co", "Colorado"
    CT = "ct", "Connecticut"
    MD = "md", "Maryland"
    CA = "ca", "California (CPPA)"
    CA_SB53 = "ca-sb53", "California SB 53"
