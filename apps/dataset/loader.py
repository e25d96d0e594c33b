"""Idempotent loader for data/seed: natural keys in, insert/update/no-op counts out.

Steps:
1. Read every file first; a file that is not a list of mappings stops the load.
2. For each row, in file order: convert values and resolve references by
   natural key. A curated row (apps.record.registry) with its children goes
   through the write service (apps.record.services), which inserts it, updates
   exactly what differs (bumping `version`, re-deriving statuses) or leaves
   it alone, and records every change as a seed load. Memberships are written
   as their group's children once every jurisdiction exists. Citations and
   watched sources are not curated rows: they are upserted here.
3. Every row is validated with the model's own rules: full_clean (field
   choices, unique constraints) before it is saved, and its CheckConstraints
   by PostgreSQL on save, reported with the constraint's own message.
4. Errors are collected row by row with the file and natural key; if there
   is any, the whole load rolls back and nothing is saved.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from apps.core.constraints import explain, validate_without_checks
from apps.dataset import yamlio
from apps.dataset.spec import FILES, Spec
from apps.record import registry
from apps.record import services as record
from apps.record.models import Origin
from apps.record.registry import Curated
from apps.record.rows import child_key, plain, snapshot
from apps.record.services import Written

SEED = record.Why(Origin.SEED, reason="seed load")


class SeedError(Exception):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was saved:\n" + "\n".join(errors))


def _message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(msgs)}" if name != "__all__" else " ".join(msgs)
            for name, msgs in error.message_dict.items()
        )
    return " ".join(error.messages)


class Loader:
    def __init__(self, folder: Path, progress: Callable[[str], None] = lambda _: None) -> None:
        self.folder = folder
        self.progress = progress
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.errors: list[str] = []
        self._refs: dict[str, dict[str, models.Model]] = {}

    # -- public ---------------------------------------------------------
    def load(self) -> dict[str, Counter[str]]:
        documents = self.read()
        with transaction.atomic():
            for index, (name, spec, rows) in enumerate(documents, start=1):
                self.progress(f"[{index}/{len(documents)}] {name}: {len(rows)} rows")
                if spec.model == "jurisdictions.Jurisdiction":
                    rows = _parents_first(rows)
                if spec.model == "jurisdictions.Membership":
                    self._load_memberships(name, spec, rows)
                    continue
                seen: set[tuple[Any, ...]] = set()
                for number, row in enumerate(rows, start=1):
                    self._load_row(name, number, spec, row, seen)
            if self.errors:
                raise SeedError(self.errors)
        return self.counts

    # -- reading ----------------------------------------------------------
    def read(self) -> list[tuple[str, Spec, list[dict[str, Any]]]]:
        """Every seed file as (name, spec, rows), in load order; SeedError if one is unreadable."""
        documents = [(name, spec, self._read(name)) for name, spec in FILES]
        if self.errors:
            raise SeedError(self.errors)
        return documents

    def _read(self, name: str) -> list[dict[str, Any]]:
        path = self.folder / name
        try:
            data = yamlio.load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.errors.append(f"{name}: file is missing")
            return []
        except yaml.YAMLError as exc:
            self.errors.append(f"{name}: not valid YAML: {exc}")
            return []
        if data is None:
            return []
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            self.errors.append(f"{name}: must be a list of mappings")
            return []
        return data

    # -- rows -------------------------------------------------------------
    def _load_row(
        self, name: str, number: int, spec: Spec, row: dict[str, Any], seen: set[tuple[Any, ...]]
    ) -> None:
        label = f"{name} row {number} ({_describe(spec, row)})"
        curated = registry.for_model(apps.get_model(spec.model))
        try:
            with transaction.atomic():
                if curated is None:
                    self._upsert(spec, row, seen)
                else:
                    self._write(curated, spec, row, seen)
        except ValidationError as exc:
            self.errors.append(f"{label}: {_message(exc)}")
        except IntegrityError as exc:
            self.errors.append(f"{label}: {explain(exc, list(apps.get_models()))}")

    # -- curated rows, through the write service ----------------------------
    def _write(self, curated: Curated, spec: Spec, row: dict[str, Any], seen: set) -> None:
        values = self._values(spec, row, parent_provenance=None)
        natural = tuple(values.get(k) for k in spec.key)
        if natural in seen:
            raise ValidationError(f"duplicate {'/'.join(spec.key)} {natural!r} in this file")
        seen.add(natural)
        existing = (
            curated.model.objects.filter(**{_lookup(k): values.get(k) for k in spec.key})
            .values_list("pk", flat=True)
            .first()
        )
        if curated.stamped:
            values = _with_stamp(curated, values, existing)
        written = record.write(target=curated.target, row=existing, values=values, why=SEED)
        self._count(curated, written, values, own=True)

    def _values(
        self, spec: Spec, row: dict[str, Any], parent_provenance: str | None
    ) -> dict[str, Any]:
        """A YAML row as the plain values the write service takes (children included)."""
        row = _normalise(spec, row)
        if parent_provenance and "provenance" in spec.fields and "provenance" not in row:
            # A penalty or event without its own provenance shares its parent's.
            row = {**row, "provenance": parent_provenance}
        allowed = set(spec.fields) | set(spec.refs) | set(spec.m2m) | set(spec.children)
        unknown = sorted(set(row) - allowed)
        if unknown:
            raise ValidationError(f"unknown field(s) {', '.join(unknown)}")
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for key, convert in spec.fields.items():
            try:
                converted = convert(row.get(key))
            except ValidationError as exc:
                errors[key] = exc.messages
                continue
            converted = converted if isinstance(converted, dict) else {key: converted}
            values.update({k: plain(v) for k, v in converted.items()})
        for key, ref in spec.refs.items():
            try:
                values[key] = plain(self._resolve(ref, row.get(key)))
            except ValidationError as exc:
                errors[key] = exc.messages
        for key, ref in spec.m2m.items():
            try:
                values[key] = [self._resolve(ref, item).pk for item in (row.get(key) or [])]
            except ValidationError as exc:
                errors[key] = exc.messages
        for key, child_spec in spec.children.items():
            items = []
            for position, child_row in enumerate(row.get(key) or [], start=1):
                if not isinstance(child_row, dict):
                    errors[key] = [f"each item must be a mapping, not {child_row!r}"]
                    break
                try:
                    item = self._values(child_spec, child_row, values.get("provenance"))
                    _refuse_negative(child_spec, item)
                    _refuse_malformed(child_spec, item, position)
                    items.append(item)
                except ValidationError as exc:
                    errors[key] = [_message(exc)]
                    break
            values[key] = items
        if errors:
            raise ValidationError(errors)
        return values

    def _load_memberships(self, name: str, spec: Spec, rows: list[dict[str, Any]]) -> None:
        """Memberships are children of their group: one write per group, after every row reads."""
        groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
        seen: set[tuple[Any, ...]] = set()
        for number, row in enumerate(rows, start=1):
            label = f"{name} row {number} ({_describe(spec, row)})"
            try:
                values = self._values(spec, row, parent_provenance=None)
                natural = tuple(values.get(k) for k in spec.key)
                if natural in seen:
                    raise ValidationError(f"duplicate {'/'.join(spec.key)} {natural!r}")
                seen.add(natural)
            except ValidationError as exc:
                self.errors.append(f"{label}: {_message(exc)}")
                continue
            groups[values.pop("group")].append(values)
        jurisdiction = registry.REGISTRY["jurisdiction"]
        for group, members in groups.items():
            try:
                with transaction.atomic():
                    written = record.write(
                        target="jurisdiction", row=group, values={"memberships": members}, why=SEED
                    )
            except ValidationError as exc:
                code = jurisdiction.model.objects.get(pk=group).code
                self.errors.append(f"{name} group {code}: {_message(exc)}")
                continue
            self._count(jurisdiction, written, {"memberships": members}, own=False)

    def _count(self, curated: Curated, written: Written, values: dict, *, own: bool) -> None:
        """Insert/update/no-op counts of the row (when `own`) and of its children."""
        if own:
            self.counts[curated.model._meta.verbose_name_plural][written.outcome] += 1
        change = written.change
        after = snapshot(curated.target, written.row)
        for child in curated.children:
            if child.related not in values:
                continue
            counts = self.counts[child.model._meta.verbose_name_plural]
            new = {child_key(child, item): item for item in after[child.related]}
            if change is None or child.related not in (change.after or {}):
                counts["unchanged"] += len(new)
                continue
            old = {
                child_key(child, item): item
                for item in (change.before or {}).get(child.related, [])
            }
            counts["inserted"] += len(new.keys() - old.keys())
            counts["deleted"] += len(old.keys() - new.keys())
            both = new.keys() & old.keys()
            counts["updated"] += sum(new[k] != old[k] for k in both)
            counts["unchanged"] += sum(new[k] == old[k] for k in both)

    # -- citations and sources: not curated, upserted here --------------------
    def _upsert(self, spec: Spec, row: dict[str, Any], seen: set[tuple[Any, ...]]) -> None:
        values = self._values(spec, row, parent_provenance=None)
        related = {key: values.pop(key) for key in spec.m2m}
        model = apps.get_model(spec.model)
        fields = {}
        for name, value in values.items():
            field = model._meta.get_field(name)
            fields[field.attname] = value if field.is_relation else field.to_python(value)
        natural = tuple(values.get(k) for k in spec.key)
        if natural in seen:
            raise ValidationError(f"duplicate {'/'.join(spec.key)} {natural!r} in this file")
        seen.add(natural)
        counts = self.counts[model._meta.verbose_name_plural]
        obj = model.objects.filter(**{_lookup(k): values.get(k) for k in spec.key}).first()
        if obj is None:
            obj = model(**fields)
            validate_without_checks(obj)
            obj.save()
            for key, ids in related.items():
                getattr(obj, key).set(ids)
            counts["inserted"] += 1
            return
        changed = [name for name, value in fields.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, fields[name])
        for key, ids in related.items():
            if set(getattr(obj, key).values_list("pk", flat=True)) != set(ids):
                getattr(obj, key).set(ids)
                changed.append(key)
        if changed:
            validate_without_checks(obj)
            obj.save()
        counts["updated" if changed else "unchanged"] += 1

    def _resolve(self, ref: str, value: Any) -> Any:
        if value in (None, ""):
            return None
        label, field = ref.split(":")
        if "," in field:
            return self._resolve_by_fields(ref, value)
        if ref not in self._refs:
            model = apps.get_model(label)
            self._refs[ref] = {str(getattr(o, field)): o for o in model.objects.all()}
        found = self._refs[ref].get(str(value))
        if found is None:
            # Rows inserted by this load are not in the cache yet.
            found = apps.get_model(label).objects.filter(**{field: value}).first()
            if found is None:
                return self._missing(ref, value)
            self._refs[ref][str(value)] = found
        return found

    def _resolve_by_fields(self, ref: str, value: Any) -> Any:
        """A row named by a natural key of several fields, such as an obligation by
        {instrument: eu-ai-act, key: article-16-...}: one query, as few rows need it."""
        label, fields = ref.split(":")
        lookups = {f.split("__")[0]: f for f in fields.split(",")}
        if not isinstance(value, dict) or set(value) != set(lookups):
            name = apps.get_model(label)._meta.verbose_name
            raise ValidationError(
                f"{value!r} must name the {name} by its {' and '.join(lookups)}, as a mapping"
            )
        value = {name: value[name] for name in lookups}  # in the key's order, for messages
        found = (
            apps.get_model(label)
            .objects.filter(**{lookups[name]: v for name, v in value.items()})
            .first()
        )
        return self._missing(ref, value) if found is None else found

    def _missing(self, ref: str, value: Any) -> Any:
        """A reference to a row that is not in the record (a subclass may name it instead)."""
        label, _ = ref.split(":")
        name = apps.get_model(label)._meta.verbose_name
        raise ValidationError(f"unknown {name} {natural_name(value)!r}")


def backing_citation(citation_ids: list[int], day: Any):
    """The row's citation that can back a check stamp of `day` (the latest read), or None."""
    from apps.core.models import Citation

    day = Citation._meta.get_field("accessed_on").to_python(day)
    found = [c for c in Citation.objects.filter(pk__in=citation_ids) if c.stands_behind(day)]
    return max(found, key=lambda c: (c.accessed_on, c.key), default=None)


def _with_stamp(curated: Curated, values: dict[str, Any], existing: int | None) -> dict[str, Any]:
    """A seed row's check stamp, with the citation it rests on; a later check stands.

    A stamp counts only when one of the row's citations says where the fact stands
    and what it states and was read on or before that day; otherwise the row is
    refused, so the seed cannot claim a check no source stands behind.
    """
    day = values.get("last_verified_on")
    if day is None:
        values["verified_against"] = None
    else:
        citation = backing_citation(values.get("citations", []), day)
        if citation is None:
            raise ValidationError(
                {
                    "last_verified_on": [
                        f"{day}: none of the row's citations has a locator, a statement and "
                        "a read date on or before that day, so no check stands behind it"
                    ]
                }
            )
        values["verified_against"] = citation.pk
    if existing is not None:
        live = curated.model.objects.filter(pk=existing).values_list("last_verified_on").get()[0]
        if live is not None and (day is None or live.isoformat() > day):
            for name in curated.stamped:  # an editor's later check is not undone by the seed
                values.pop(name, None)
    return values


def natural_name(value: Any) -> str:
    """A natural key as the seed files write it in messages: "eu-ai-act/article-16-..."."""
    return "/".join(str(v) for v in value.values()) if isinstance(value, dict) else str(value)


# Checked before the write, so the message says which penalty and which number; the
# model's validator and PostgreSQL's constraint would name only the column.
_NOT_NEGATIVE = {"obligations.Penalty": {"max_amount": "amount", "prison_years": "prison term"}}


def _refuse_negative(spec: Spec, values: dict[str, Any]) -> None:
    for name, words in _NOT_NEGATIVE.get(spec.model, {}).items():
        value = values.get(name)
        if value is not None and Decimal(str(value)) < 0:
            field = apps.get_model(spec.model)._meta.get_field("applies_to")
            whom = dict(field.flatchoices).get(values.get("applies_to"), "anyone")
            raise ValidationError(
                f"the penalty for {whom} has a negative {words} ({value}): "
                "amounts and terms are positive numbers"
            )


# Children whose rules are checked before the write, so that a malformed one is named by
# its place in the row's list; PostgreSQL would name only the constraint.
_CHECKED_FIRST = {"obligations.Condition": "condition"}


def _refuse_malformed(spec: Spec, values: dict[str, Any], position: int) -> None:
    word = _CHECKED_FIRST.get(spec.model)
    if word is None:
        return
    model = apps.get_model(spec.model)
    instance = model(**{k: v for k, v in values.items() if k != spec.parent_field})
    try:
        # The parent is not written yet: its uniqueness among siblings is the write's to check.
        instance.full_clean(exclude=[spec.parent_field])
    except ValidationError as exc:
        what = " ".join(str(values.get(k) or "") for k in spec.key if k != spec.parent_field)
        raise ValidationError(f"{word} {position} ({what.strip()}): {_message(exc)}") from None


def _normalise(spec: Spec, row: dict[str, Any]) -> dict[str, Any]:
    # An obligation may give one penalty as `penalty:` instead of a list.
    if "penalties" in spec.children and "penalty" in row:
        row = dict(row)
        single = row.pop("penalty")
        row.setdefault("penalties", [single] if single else [])
    return row


def _lookup(key: str) -> str:
    return f"{key}_id" if key in {"instrument", "group", "member"} else key


def _describe(spec: Spec, row: dict[str, Any]) -> str:
    parts = [str(row.get(k)) for k in spec.key if k in row]
    return "/".join(parts) if parts else "?"


def _parents_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order jurisdictions so that a parent is loaded before its children."""
    by_code = {row.get("code"): row for row in rows}
    ordered: list[dict[str, Any]] = []
    placed: set[Any] = set()

    def place(row: dict[str, Any], depth: int = 0) -> None:
        code = row.get("code")
        if code in placed or depth > len(rows):
            return
        parent = by_code.get(row.get("parent"))
        if parent is not None and parent is not row:
            place(parent, depth + 1)
        placed.add(code)
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered
