"""The words generated rows are made of: topics in nine languages, kinds, actions ..."""

from __future__ import annotations

# Topics in the languages titles are written in; English also feeds the summaries,
# so the English full-text configuration has real stemming work.
TOPICS = [
    # en, fr, de, es, pt, it, ja, zh, ko
    ("artificial intelligence", "l'intelligence artificielle", "künstliche Intelligenz",
     "la inteligencia artificial", "a inteligência artificial", "l'intelligenza artificiale",
     "人工知能", "人工智能", "인공지능"),
    ("facial recognition", "la reconnaissance faciale", "Gesichtserkennung",
     "el reconocimiento facial", "o reconhecimento facial", "il riconoscimento facciale",
     "顔認識", "人脸识别", "얼굴 인식"),
    ("automated decision-making", "la prise de décision automatisée",
     "automatisierte Entscheidungsfindung", "las decisiones automatizadas",
     "as decisões automatizadas", "il processo decisionale automatizzato",
     "自動化された意思決定", "自动化决策", "자동화된 의사결정"),
    ("generative models", "les modèles génératifs", "generative Modelle",
     "los modelos generativos", "os modelos generativos", "i modelli generativi",
     "生成モデル", "生成式模型", "생성 모델"),
    ("personal data protection", "la protection des données personnelles", "Datenschutz",
     "la protección de datos personales", "a proteção de dados pessoais",
     "la protezione dei dati personali", "個人情報保護", "个人信息保护", "개인정보 보호"),
    ("algorithmic transparency", "la transparence algorithmique", "algorithmische Transparenz",
     "la transparencia algorítmica", "a transparência algorítmica",
     "la trasparenza algoritmica", "アルゴリズムの透明性", "算法透明度", "알고리즘 투명성"),
    ("deepfakes and synthetic media", "les hypertrucages", "Deepfakes",
     "las ultrafalsificaciones", "os deepfakes", "i deepfake", "ディープフェイク",
     "深度合成", "딥페이크"),
    ("high-risk systems", "les systèmes à haut risque", "Hochrisikosysteme",
     "los sistemas de alto riesgo", "os sistemas de alto risco", "i sistemi ad alto rischio",
     "高リスクシステム", "高风险系统", "고위험 시스템"),
    ("autonomous vehicles", "les véhicules autonomes", "autonome Fahrzeuge",
     "los vehículos autónomos", "os veículos autónomos", "i veicoli autonomi",
     "自動運転車", "自动驾驶汽车", "자율주행차"),
    ("biometric identification", "l'identification biométrique", "biometrische Identifizierung",
     "la identificación biométrica", "a identificação biométrica",
     "l'identificazione biometrica", "生体認証", "生物识别", "생체 인식"),
    ("content labelling", "l'étiquetage des contenus", "Kennzeichnung von Inhalten",
     "el etiquetado de contenidos", "a rotulagem de conteúdos",
     "l'etichettatura dei contenuti", "コンテンツ表示", "内容标识", "콘텐츠 표시"),
    ("critical infrastructure", "les infrastructures critiques", "kritische Infrastrukturen",
     "las infraestructuras críticas", "as infraestruturas críticas",
     "le infrastrutture critiche", "重要インフラ", "关键基础设施", "핵심 기반시설"),
    ("credit scoring", "la notation de crédit", "Bonitätsbewertung", "la calificación crediticia",
     "a pontuação de crédito", "il merito creditizio", "信用スコアリング", "信用评分",
     "신용 평가"),
    ("recruitment and employment", "le recrutement et l'emploi", "Personalauswahl",
     "la contratación y el empleo", "o recrutamento e o emprego",
     "il reclutamento e il lavoro", "採用と雇用", "招聘与就业", "채용과 고용"),
    ("medical devices", "les dispositifs médicaux", "Medizinprodukte",
     "los productos sanitarios", "os dispositivos médicos", "i dispositivi medici",
     "医療機器", "医疗器械", "의료기기"),
    ("law enforcement", "les services répressifs", "Strafverfolgung",
     "las fuerzas del orden", "a aplicação da lei", "le forze dell'ordine", "法執行", "执法",
     "법 집행"),
]  # fmt: skip
LANGUAGES = ["en", "fr", "de", "es", "pt", "it", "ja", "zh", "ko"]
# How a title reads in each language: (kind, template).
TITLES = {
    "en": "{kind} on {topic}",
    "fr": "Loi relative à {topic}",
    "de": "Gesetz über {topic}",
    "es": "Ley sobre {topic}",
    "pt": "Lei sobre {topic}",
    "it": "Legge su {topic}",
    "ja": "{topic}に関する法律",
    "zh": "{topic}管理办法",
    "ko": "{topic}에 관한 법률",
}
KIND_WORDS = {
    "law": "Act",
    "regulation": "Regulation",
    "directive": "Directive",
    "executive_order": "Executive Order",
    "bill": "Bill",
    "guideline": "Guidelines",
    "strategy": "National Strategy",
    "recommendation": "Recommendation",
    "standard": "Standard",
    "declaration": "Declaration",
}
BINDING_KINDS = {"law", "regulation", "directive", "executive_order", "bill"}
ACTIONS = [
    "keep technical documentation up to date",
    "register the system in the public database before placing it on the market",
    "carry out a fundamental rights impact assessment",
    "label synthetic content in a machine-readable format",
    "report serious incidents to the supervisory authority within fifteen days",
    "ensure effective human oversight of automated decisions",
    "publish a summary of the training data used",
    "notify affected persons that they are interacting with an automated system",
    "assess and mitigate systemic risks before deployment",
    "retain logs for at least six months",
    "appoint an authorised representative established in the jurisdiction",
    "refrain from untargeted scraping of facial images",
    "provide an explanation of decisions producing legal effects",
    "test models against adversarial attacks and document the results",
]
ADDRESSEES = [
    "provider", "deployer", "importer", "distributor", "platform", "service_provider",
    "data_controller", "public_authority", "company",
]  # fmt: skip
RISK_TIERS = ["", "", "high", "limited", "minimal", "gpai", "prohibited", "gpai_systemic"]
EVENT_CHAIN = [("proposed", 0), ("adopted", 220), ("published", 240), ("entered_into_force", 400)]
AMENDMENT_KINDS = ["amends", "amends", "amends", "implements", "extends", "corrects", "delegates"]
CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CNY", "KRW", "BRL", "INR", "CAD", "AUD"]
