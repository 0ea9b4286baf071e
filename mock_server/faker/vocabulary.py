"""The words fake data is made of: products, companies, job titles, task and note sentences, labels, and the
words that tell what a resource or a field is about."""

from __future__ import annotations

PRODUCTS = (
    "Analytics", "Cloud", "CRM", "Platform", "Security", "Support", "Data Warehouse", "Payroll",
    "Marketing Suite", "Integration", "Enterprise", "Helpdesk", "Billing", "Mobile", "Compliance",
)
DEAL_KINDS = ("License", "Renewal", "Expansion", "Pilot")
COMPANY_SUFFIXES = (
    "Group", "Labs", "Industries", "Partners", "Systems", "Holdings", "Solutions", "Technologies",
    "Logistics", "Consulting", "Ventures", "Networks", "Analytics", "Manufacturing", "Health",
)
COMPANY_WORDS = (
    "Northwind", "Bluebird", "Summit", "Evergreen", "Brightline", "Ironwood", "Silverline", "Redwood",
    "Harbor", "Pinnacle", "Crescent", "Atlas", "Nimbus", "Vertex", "Cobalt", "Meridian", "Keystone",
    "Lakeside", "Granite", "Beacon", "Horizon", "Riverbend", "Sterling", "Oakridge",
)
TLDS = (".com", ".io", ".co", ".net")
JOB_TITLES = (
    "Head of Sales", "VP of Marketing", "Chief Technology Officer", "Procurement Manager",
    "Operations Director", "Account Executive", "Chief Financial Officer", "IT Manager",
    "Product Manager", "Customer Success Lead", "Office Manager", "Sales Development Representative",
    "Director of Engineering", "Purchasing Agent", "Marketing Coordinator", "General Counsel",
)
TASKS = (
    "Call {first} about the {product} proposal",
    "Send {product} pricing to {company}",
    "Follow up with {first} {last}",
    "Schedule a demo with {company}",
    "Prepare renewal quote for {company}",
    "Review contract terms with {first}",
    "Email {first} the onboarding checklist",
    "Book kickoff meeting with {company}",
    "Confirm budget with {first}",
    "Share {product} case study with {company}",
)
NOTES = (
    "Discussed {product} pricing with {first}.",
    "{company} is evaluating {n} seats for the {product} rollout.",
    "Needs sign-off from the finance team before the end of the quarter.",
    "Met {first} at the regional trade show.",
    "Asked for a follow-up call next week.",
    "Prefers email over phone.",
    "Budget approved for Q{q}.",
    "Legal review of the MSA is in progress.",
    "Interested in the {product} add-on.",
    "Sent the security questionnaire to {first}.",
    "Decision expected within {n} days.",
    "Current vendor contract ends in {month}.",
)
REASONS = (
    "Chose a competitor with lower pricing.", "Budget was cut.", "No decision maker engaged.",
    "Project postponed to next year.", "Missing a required integration.", "Went with an in-house solution.",
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
COUNTRIES = (
    ("United States", "US"), ("United Kingdom", "GB"), ("Germany", "DE"), ("France", "FR"),
    ("Canada", "CA"), ("Australia", "AU"), ("Netherlands", "NL"), ("Spain", "ES"), ("Ireland", "IE"),
    ("Sweden", "SE"),
)
CURRENCIES = ("USD", "EUR", "GBP")
TAGS = ("vip", "enterprise", "smb", "partner", "inbound", "outbound", "priority", "renewal",
        "trial", "newsletter", "referral", "hot")
STAGES = ("Lead", "Qualified", "Demo Scheduled", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
PIPELINES = ("Sales Pipeline", "Enterprise", "Renewals", "Partnerships", "Inbound")
ACTIVITY_TYPES = ("Call", "Meeting", "Email", "Task", "Deadline", "Lunch")
SOURCES = ("Referral", "Website", "Cold call", "Trade show", "Partner", "Email campaign", "LinkedIn")
INDUSTRIES = ("Software", "Healthcare", "Manufacturing", "Retail", "Financial Services", "Education",
              "Logistics", "Construction", "Media", "Energy")
UNITS = ("seat", "license", "hour", "user", "month", "unit")
TAX_LABELS = ("VAT", "Sales tax", "GST", "No tax")
ROLES = ("admin", "manager", "sales_rep", "user")
DOCUMENT_TITLES = {
    "contract": ("Master Services Agreement", "Subscription Agreement", "Order Form", "Renewal Agreement"),
    "quote": ("Quote", "Proposal", "Pricing Proposal"),
    "invoice": ("Invoice",),
    "proposal": ("Proposal",),
}
COMPANY_FIELDS = ("company", "companyname", "organization", "organisation", "organizationname",
                  "accountname", "employer", "business", "businessname")
PERCENT_KINDS = ("percentage", "percent")
MAIL_BOXES = ("info", "sales", "contact", "hello", "office")

# Resource kinds, by words of the resource name or schema title (first match wins).
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("label", ("type", "stage", "pipeline", "tag", "categor", "status", "label", "source", "industr",
               "currenc", "product", "countr", "role", "field", "team")),
    ("company", ("compan", "organi", "account", "business", "firm", "vendor", "customer")),
    ("deal", ("deal", "opportunit")),
    ("task", ("task", "activit", "event", "meeting", "todo", "reminder", "appointment", "call")),
    ("note", ("note", "comment")),
    ("document", ("contract", "quote", "invoice", "proposal", "agreement", "estimate")),
    ("person", ("contact", "user", "person", "people", "lead", "member", "owner", "employee", "agent",
                "assignee", "creator", "author")),
)

DATE_WORDS = ("date", "day", "birthday", "dob")
END_WORDS = ("end", "ends", "ended", "finish", "until")
# words of a temporal field's name that say whether it lies ahead or behind
FUTURE_WORDS = ("due", "expected", "close", "closing", "start", "end", "scheduled", "next", "remind",
                "reminder", "renewal", "expires", "expiry", "deadline", "follow", "followup")
PAST_WORDS = ("created", "updated", "modified", "deleted", "completed", "closed", "won", "lost", "last",
              "signed", "joined", "registered", "converted", "paid", "sent", "opened", "logged")

# label pools, by a word of the field's (or its record's) name: a stage's name is a stage
LABEL_POOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stage", STAGES), ("pipeline", PIPELINES), ("type", ACTIVITY_TYPES), ("tag", TAGS),
    ("source", SOURCES), ("industr", INDUSTRIES), ("unit", UNITS), ("tax", TAX_LABELS),
    ("currenc", CURRENCIES), ("product", PRODUCTS), ("item", PRODUCTS), ("role", ROLES),
)
