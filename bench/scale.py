"""A large, realistic record for the benchmarks at scale (issue 13), written with COPY.

This is a generator, not an editor: it writes straight to the tables, bypassing
the one write path (apps/record/services.py), its locks, validation and audit. The
audit trail it needs (applied changes) is itself generated rows. That is only
acceptable because it writes into the benchmarks' own throw-away database
(bench/run.py creates and migrates it); never point it at a real record.

Deterministic: the same scale and seed give the same rows (timestamps are fixed,
not "now"), so two runs of `make bench` measure the same data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass

# Every generated timestamp counts from here, so rows do not depend on the day of the run.
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 29)


@dataclass(frozen=True)
class Scale:
    name: str
    jurisdictions: int  # in all, the seed's included
    instruments: int
    obligations: int
    amendments: int
    sources: int
    changes: int
    cases: int

    @property
    def tiny(self) -> bool:
        return self.name == "tiny"


SCALES = {
    "full": Scale("full", 300, 100_000, 300_000, 50_000, 10_000, 200_000, 2_000),
    # CI's smoke run (tests/bench/test_smoke.py): every table, a few rows each.
    "tiny": Scale("tiny", 100, 300, 900, 150, 60, 600, 10),
}

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


class Progress:
    """A one-line progress bar on stderr (no dependency; quiet when `quiet`)."""

    def __init__(self, total: int, quiet: bool = False) -> None:
        self.total, self.done, self.quiet = total, 0, quiet
        self.start = time.perf_counter()
        self.label = ""
        self._last = 0.0

    def step(self, label: str, rows: int = 1) -> None:
        self.done += rows
        self.label = label
        now = time.perf_counter()
        if not self.quiet and (now - self._last > 0.2 or self.done >= self.total):
            self._last = now
            width = 30
            filled = int(width * min(self.done, self.total) / self.total)
            sys.stderr.write(
                f"\r  [{'#' * filled}{'.' * (width - filled)}] {self.done:>9,}/{self.total:,} "
                f"rows  {now - self.start:5.0f} s  {label:<28}"
            )
            sys.stderr.flush()

    def close(self) -> None:
        if not self.quiet:
            sys.stderr.write("\n")


def _ts(rng: random.Random, days: int = 330) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=rng.randrange(days * 86400))


def _pillars(rng: random.Random) -> str:
    return _pg_array(sorted(rng.sample(["data", "algorithm", "compute"], rng.randrange(0, 3))))


def _pg_array(values: list[str]) -> str:
    return "{" + ",".join(values) + "}"


def _pg_quoted_array(values: list[str]) -> str:
    """An array literal of any text (commas, quotes, spaces) for COPY."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"


class Writer:
    """COPY into one table; ids are chosen here so later tables can point at them."""

    def __init__(self, conn, progress: Progress) -> None:
        self.conn, self.progress = conn, progress

    def next_id(self, table: str) -> int:
        row = self.conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()  # noqa: S608
        return row[0]

    def copy(self, table: str, columns: list[str], rows) -> int:
        count = 0
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
                    if count % 1000 == 0:
                        self.progress.step(table, 1000)
            self.progress.step(table, count % 1000)
        if "id" in columns:
            # Later inserts (the benchmarks' own writes) continue after the copied ids.
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
        return count


def fill(database_url: str, scale: Scale, *, seed: int = 13, quiet: bool = False) -> dict:
    """Fill the (migrated, seeded) database at `database_url`; returns the row counts."""
    import psycopg

    rng = random.Random(seed)
    s = scale
    # Rough total of rows, for the progress bar only.
    total = (
        s.jurisdictions * 4 + s.instruments * 7 + s.obligations * 1.4 + s.amendments
        + s.sources * 4 + s.changes + s.cases
    )  # fmt: skip
    progress = Progress(int(total), quiet)
    counts: dict[str, int] = {}
    started = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        w = Writer(conn, progress)
        juris = _jurisdictions(w, rng, s, counts)
        instruments = _instruments(w, rng, s, juris, counts)
        _obligations(w, rng, s, instruments, counts)
        _amendments(w, rng, s, instruments, counts)
        _sources(w, rng, s, instruments, juris, counts)
        _changes(w, rng, s, instruments, juris, counts)
        conn.commit()
        progress.close()
        conn.autocommit = True
        # Fresh statistics, as autovacuum would have after such a load: plans must be
        # the ones a real deployment of this size gets.
        conn.execute("VACUUM ANALYZE")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def _jurisdictions(w: Writer, rng, s: Scale, counts) -> list[tuple[int, str]]:
    conn = w.conn
    existing = conn.execute("SELECT id, code, kind FROM jurisdictions_jurisdiction").fetchall()
    countries = [(i, c) for i, c, k in existing if k == "country"]
    groups = [i for i, _, k in existing if k in ("supranational", "international_org", "forum")]
    first = w.next_id("jurisdictions_jurisdiction")
    new = max(0, s.jurisdictions - len(existing))
    rows = []
    made: list[tuple[int, str, str]] = []
    for n in range(new):
        jid = first + n
        if n % 4 == 0 or not countries:
            code, kind, parent, name = f"X{n:03d}", "country", None, f"Republic of Benchland {n}"
            countries.append((jid, code))
        elif n % 10 == 1:
            code, kind, parent, name = f"F{n:03d}", "forum", None, f"Benchmark Forum {n}"
        else:
            parent_id, parent_code = countries[n % len(countries)]
            code, kind, parent = f"{parent_code}-B{n:03d}", "subnational", parent_id
            name = f"Province {n} of {parent_code}"
        made.append((jid, code, kind))
        rows.append((
            jid, "editorial", "", 1, EPOCH, _ts(rng), code, name, kind, "", "", "{}",
            rng.choice(["in_depth", "partial", "not_tracked"]),
            f"{name}: a generated jurisdiction for the benchmarks.", parent, None, None,
        ))  # fmt: skip
    counts["jurisdictions"] = w.copy(
        "jurisdictions_jurisdiction",
        ["id", "provenance", "provenance_note", "version", "created_at", "updated_at", "code",
         "name", "kind", "iso_alpha2", "iso_alpha3", "approaches", "coverage", "summary",
         "parent_id", "retired_at", "last_verified_on"],
        rows,
    )  # fmt: skip
    groups += [jid for jid, _, kind in made if kind == "forum"]
    members = countries
    seen = set(conn.execute("SELECT group_id, member_id FROM jurisdictions_membership").fetchall())
    membership_rows = []
    first = w.next_id("jurisdictions_membership")
    for group in groups:
        for member, _ in rng.sample(members, min(len(members), rng.randrange(3, 30))):
            if (group, member) in seen:
                continue
            seen.add((group, member))
            joined = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(12000))
            membership_rows.append((
                first + len(membership_rows), "editorial", "", joined, "day", None, "",
                group, member,
            ))  # fmt: skip
    counts["memberships"] = w.copy(
        "jurisdictions_membership",
        ["id", "provenance", "provenance_note", "joined_on", "joined_on_precision", "left_on",
         "left_on_precision", "group_id", "member_id"],
        membership_rows,
    )  # fmt: skip
    return [(i, c) for i, c, _ in existing] + [(jid, code) for jid, code, _ in made]


def _instruments(w: Writer, rng, s: Scale, juris, counts) -> list[int]:
    from apps.instruments.names import all_short_names  # what Instrument.save keeps

    first = w.next_id("instruments_instrument")
    ids = list(range(first, first + s.instruments))
    kinds = list(KIND_WORDS)
    meta: list[tuple[int, dt.date]] = []

    def instrument_rows():
        for n, iid in enumerate(ids):
            kind = rng.choice(kinds)
            topic = rng.randrange(len(TOPICS))
            second = TOPICS[(topic + 1 + rng.randrange(len(TOPICS) - 1)) % len(TOPICS)][0]
            lang = rng.choice(LANGUAGES) if rng.random() < 0.45 else "en"
            year = 2015 + n % 12
            title = (
                f"{KIND_WORDS[kind]} on {TOPICS[topic][0].title()} and {second.title()} {year}"
                f" (No. {n})"
            )
            original = ""
            if lang != "en":
                original = TITLES[lang].format(topic=TOPICS[topic][LANGUAGES.index(lang)])
            sentences = [
                f"This {KIND_WORDS[kind].lower()} governs {TOPICS[topic][0]} and {second}.",
                f"It requires {rng.choice(ADDRESSEES).replace('_', ' ')}s to "
                f"{rng.choice(ACTIONS)}.",
                f"Supervisory authorities may {rng.choice(ACTIONS).replace('ensure', 'verify')}.",
                f"It applies to {rng.choice(TOPICS)[0]} used in {rng.choice(TOPICS)[0]}.",
            ]
            if lang != "en":
                sentences.append(original)
            start = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(4000))
            meta.append((iid, start))
            force_date = start + dt.timedelta(days=400)
            status, since = (
                ("in_force", force_date) if force_date <= TODAY
                else ("adopted", start + dt.timedelta(days=220))
                if start + dt.timedelta(days=220) <= TODAY else ("proposed", start)
            )  # fmt: skip
            yield (
                iid, "editorial", "", 1 + rng.randrange(4), EPOCH, _ts(rng), f"bench-{n}",
                title, original, lang if lang != "en" else "en", kind,
                f"Ministry of {second.title()}",
                "binding" if kind in BINDING_KINDS else "soft_law",
                " ".join(sentences[: rng.randrange(3, len(sentences) + 1)]),
                _pg_array(sorted({TOPICS[topic][0].replace(" ", "-"), second.replace(" ", "-")})),
                _pillars(rng),
                "", "", status, since, rng.choice(juris)[0],
                _ts(rng) if rng.random() < 0.01 else None, None,
                _pg_quoted_array(all_short_names(title, original)),
                start,  # the first event (EVENT_CHAIN starts at day 0), as record.py keeps it
            )  # fmt: skip

    counts["instruments"] = w.copy(
        "instruments_instrument",
        ["id", "provenance", "provenance_note", "version", "created_at", "updated_at", "slug",
         "title", "original_title", "original_language", "kind", "issuing_body", "legal_force",
         "summary", "topics", "pillars", "approach", "source_status_text", "status",
         "status_since", "jurisdiction_id", "retired_at", "last_verified_on", "short_names",
         "first_event_on"],
        instrument_rows(),
    )  # fmt: skip

    first_identifier = w.next_id("instruments_identifier")

    def identifier_rows():
        nid = first_identifier
        for n, iid in enumerate(ids):
            yield (nid, "editorial", "", "other", f"BENCH-{n}", iid)
            nid += 1
            if n % 2 == 0:
                year = 2015 + n % 12
                yield (nid, "editorial", "", "celex", f"3{year}R{n:06d}", iid)
                nid += 1

    counts["identifiers"] = w.copy(
        "instruments_identifier",
        ["id", "provenance", "provenance_note", "scheme", "value", "instrument_id"],
        identifier_rows(),
    )

    first_event = w.next_id("instruments_instrumentevent")

    def event_rows():
        eid = first_event
        for iid, start in meta:
            for kind, offset in EVENT_CHAIN[: rng.randrange(1, len(EVENT_CHAIN) + 1)]:
                yield (
                    eid,
                    "editorial",
                    "",
                    kind,
                    start + dt.timedelta(days=offset),
                    "day",
                    "",
                    iid,
                )
                eid += 1

    counts["events"] = w.copy(
        "instruments_instrumentevent",
        ["id", "provenance", "provenance_note", "kind", "date", "date_precision", "note",
         "instrument_id"],
        event_rows(),
    )  # fmt: skip

    citations = max(10, s.instruments // 5)
    first_citation = w.next_id("core_citation")
    counts["citations"] = w.copy(
        "core_citation",
        ["id", "key", "url", "title", "accessed_on", "seed_footnote", "last_verified_on",
         "provenance"],
        (
            (first_citation + n, f"bench-c{n}", f"https://law{n % 50}.example.org/doc/{n}",
             f"Official journal, item {n}", dt.date(2026, 1, 1), None, dt.date(2026, 6, 1),
             "editorial")
            for n in range(citations)
        ),
    )  # fmt: skip
    link = w.next_id("instruments_instrument_citations")
    counts["instrument_citations"] = w.copy(
        "instruments_instrument_citations",
        ["id", "instrument_id", "citation_id"],
        ((link + n, iid, first_citation + n % citations) for n, iid in enumerate(ids)),
    )
    return ids


def _obligations(w: Writer, rng, s: Scale, instruments: list[int], counts) -> None:
    first = w.next_id("obligations_obligation")
    per = s.obligations // len(instruments)
    extra = s.obligations - per * len(instruments)
    penalised: list[int] = []

    def rows():
        oid = first
        for n, iid in enumerate(instruments):
            for k in range(per + (1 if n < extra else 0)):
                start = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(3500))
                until = start + dt.timedelta(days=3650) if rng.random() < 0.05 else None
                topic = rng.choice(TOPICS)[0]
                if rng.random() < 0.33:
                    penalised.append(oid)
                yield (
                    oid, "editorial", "", 1, EPOCH, _ts(rng), f"o{k}",
                    f"Article {k + 1}({rng.randrange(1, 6)})", rng.choice(ADDRESSEES),
                    f"{rng.choice(ADDRESSEES).replace('_', ' ').capitalize()}s of {topic} must "
                    f"{rng.choice(ACTIONS)}, and {rng.choice(ACTIONS)}.",
                    rng.choice(RISK_TIERS), start, until,
                    _pillars(rng),
                    False, iid, _ts(rng) if rng.random() < 0.01 else None,
                )  # fmt: skip
                oid += 1

    counts["obligations"] = w.copy(
        "obligations_obligation",
        ["id", "provenance", "provenance_note", "version", "created_at", "updated_at", "key",
         "provision", "addressee", "requirement", "risk_tier", "applies_from", "applies_until",
         "pillars", "needs_review", "instrument_id", "retired_at"],
        rows(),
    )  # fmt: skip

    first_penalty = w.next_id("obligations_penalty")

    def penalty_rows():
        pid = first_penalty
        for oid in penalised:
            shape = rng.randrange(3)
            amount = rng.choice([500_000, 7_500_000, 15_000_000, 35_000_000])
            if shape == 0:  # an amount or a turnover share, whichever is higher
                row = (
                    "company",
                    amount,
                    rng.choice(CURRENCIES),
                    rng.choice([1, 3, 7]),
                    None,
                    "higher",
                )
            elif shape == 1:  # a single cap
                row = ("any", amount, rng.choice(CURRENCIES), None, None, "single")
            else:  # prison for individuals
                row = ("individual", None, "", None, rng.choice([1, 2, 5]), "single")
            yield (pid, "editorial", "", *row, oid)
            pid += 1

    counts["penalties"] = w.copy(
        "obligations_penalty",
        ["id", "provenance", "provenance_note", "applies_to", "max_amount", "currency",
         "turnover_percent", "prison_years", "rule", "obligation_id"],
        penalty_rows(),
    )  # fmt: skip


def _amendments(w: Writer, rng, s: Scale, instruments: list[int], counts) -> None:
    first = w.next_id("amendments_amendment")

    def rows():
        for n in range(s.amendments):
            source, target = rng.sample(instruments, 2)
            effective = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2900))
            announced = effective - dt.timedelta(days=rng.randrange(0, 200))
            yield (
                first + n, "editorial", "", 1, EPOCH, _ts(rng), f"bench-a{n}",
                rng.choice(AMENDMENT_KINDS), f"Article {rng.randrange(1, 40)}" if n % 3 else "",
                announced, "day", effective, "day",
                f"Changes how {rng.choice(TOPICS)[0]} is regulated: {rng.choice(ACTIONS)}.",
                source, None, target, None,
            )  # fmt: skip

    counts["amendments"] = w.copy(
        "amendments_amendment",
        ["id", "provenance", "provenance_note", "version", "created_at", "updated_at", "key",
         "kind", "target_provision", "announced_on", "announced_on_precision", "effective_on",
         "effective_on_precision", "summary", "source_instrument_id", "source_jurisdiction_id",
         "target_instrument_id", "retired_at"],
        rows(),
    )  # fmt: skip


def snapshot_text(n: int, version: int, rng: random.Random) -> str:
    """A watched page's normalised text: a few dozen lines, about 3 KB."""
    lines = [f"Notice {n}: official publication of the regulator", f"Revision {version}"]
    lines += [f"{i}. {rng.choice(ACTIONS).capitalize()}." for i in range(40)]
    return "\n".join(lines)


def _sources(w: Writer, rng, s: Scale, instruments, juris, counts) -> None:
    first = w.next_id("sources_source")
    # All due long ago, so the dispatcher benchmark has its 10,000 due sources.
    due = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    counts["sources"] = w.copy(
        "sources_source",
        ["id", "name", "url", "kind", "selector", "ignore", "adapter", "check_interval_minutes",
         "active", "next_check_at", "etag", "last_modified", "last_attempt_at",
         "last_success_at", "consecutive_failures", "last_error", "broken_since", "created_at",
         "jurisdiction_id", "claim_expires_at"],
        (
            (first + n, f"Gazette notice {n}", f"https://gazette{n % 200}.example.org/notice/{n}",
             "html", "main" if n % 3 == 0 else "", "{}", "", 360, True, due, "", "", None, None,
             0, "", None, EPOCH, rng.choice(juris)[0], None)
            for n in range(s.sources)
        ),
    )  # fmt: skip
    link = w.next_id("sources_source_instruments")
    counts["source_instruments"] = w.copy(
        "sources_source_instruments",
        ["id", "source_id", "instrument_id"],
        ((link + n, first + n, rng.choice(instruments)) for n in range(s.sources)),
    )

    first_snapshot = w.next_id("sources_snapshot")

    def snapshot_rows():
        sid = first_snapshot
        for n in range(s.sources):
            for version in range(1, 3 if n % 2 else 2):
                text = snapshot_text(n, version, rng)
                raw = f"<html><body><main>{text}</main></body></html>".encode()
                yield (
                    sid, version, hashlib.sha256(text.encode()).hexdigest(), text, raw,
                    "text/html", EPOCH + dt.timedelta(days=version),
                    first + n,
                )  # fmt: skip
                sid += 1

    counts["snapshots"] = w.copy(
        "sources_snapshot",
        ["id", "sequence", "content_hash", "text", "raw", "content_type", "fetched_at",
         "source_id"],
        snapshot_rows(),
    )  # fmt: skip


def _changes(w: Writer, rng, s: Scale, instruments, juris, counts) -> None:
    first_case = w.next_id("cases_case")
    counts["cases"] = w.copy(
        "cases_case",
        ["id", "title", "kind", "priority", "due_on", "state", "description", "created_at",
         "updated_at", "assignee_id", "created_by_id", "follows_up_id", "instrument_id",
         "source_id", "public_reason"],
        (
            (first_case + n, f"Update from gazette notice {n}", "source_change", 2, None,
             "published", "Generated.", _ts(rng), _ts(rng), None, None, None,
             rng.choice(instruments), None, f"The official text changed (notice {n}).")
            for n in range(s.cases)
        ),
    )  # fmt: skip
    obligations = w.conn.execute("SELECT MIN(id), MAX(id) FROM obligations_obligation").fetchone()
    amendments = w.conn.execute("SELECT MIN(id), MAX(id) FROM amendments_amendment").fetchone()
    first = w.next_id("cases_appliedchange")
    base = EPOCH

    def rows():
        for n in range(s.changes):
            pick = rng.random()
            origin = rng.choice(["case", "case", "seed", "system", "direct"])
            case = first_case + rng.randrange(s.cases) if origin == "case" else None
            if pick < 0.45:
                target, row = "instrument", rng.choice(instruments)
                update = rng.choice([
                    ({"status": "adopted", "status_since": "2024-03-01"},
                     {"status": "in_force", "status_since": "2025-08-02"}),
                    ({"summary": "Earlier wording."}, {"summary": f"{rng.choice(ACTIONS)}."}),
                    ({"jurisdiction": rng.choice(juris)[0]},
                     {"jurisdiction": rng.choice(juris)[0]}),
                    ({"identifiers": []},
                     {"identifiers": [{"scheme": "other", "value": f"BENCH-X{n}"}]}),
                ])  # fmt: skip
                created = {"slug": f"bench-{row - instruments[0]}", "title": "Generated",
                           "jurisdiction": rng.choice(juris)[0], "kind": "law"}  # fmt: skip
            elif pick < 0.8:
                target, row = "obligation", rng.randrange(obligations[0], obligations[1] + 1)
                update = ({"requirement": "Earlier."}, {"requirement": f"{rng.choice(ACTIONS)}."})
                created = {"key": "o0", "instrument": rng.choice(instruments),
                           "addressee": rng.choice(ADDRESSEES)}  # fmt: skip
            elif pick < 0.97:
                target, row = "amendment", rng.randrange(amendments[0], amendments[1] + 1)
                update = ({"effective_on": "2025-01-01"}, {"effective_on": "2026-08-02"})
                created = {"kind": "amends", "source_instrument": rng.choice(instruments),
                           "target_instrument": rng.choice(instruments)}  # fmt: skip
            else:
                target, row = "jurisdiction", rng.choice(juris)[0]
                update = ({"coverage": "partial"}, {"coverage": "in_depth"})
                created = {"name": "Generated", "kind": "country"}
            if rng.random() < 0.3:
                action, before, after, version = "create", None, created, 1
            else:
                action, (before, after), version = "update", update, 2 + rng.randrange(5)
            yield (
                first + n, target, action, row, json.dumps(before) if before else None,
                json.dumps(after), base + dt.timedelta(seconds=n * 60), None, None, case,
                origin, "" if origin == "case" else f"generated {origin} change", version,
            )  # fmt: skip

    counts["applied_changes"] = w.copy(
        "cases_appliedchange",
        ["id", "target", "action", "row_id", "before", "after", "applied_at", "approver_id",
         "proposer_id", "case_id", "origin", "reason", "version"],
        rows(),
    )  # fmt: skip
