"""Idempotent loader for data/seed: natural keys in, insert/update/no-op counts out.

Steps:
1. Read every file first; a file that is not a list of mappings stops the load.
2. For each row, in file order: convert values, resolve references by natural
   key, find the existing row by its natural key, and insert it, update the
   fields that differ (bumping `version`), or leave it alone. Children
   (identifiers, events, parties, penalties) are synced the same way and
   extra ones are deleted.
3. Every row is validated with the model's own rules: full_clean (field
   choices, unique constraints) before it is saved, and its CheckConstraints
   by PostgreSQL on save, reported with the constraint's own message.
4. Errors are collected row by row with the file and natural key; if there
   is any, the whole load rolls back and nothing is saved.
5. Instrument statuses are re-derived once at the end.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from apps.core.constraints import explain, validate_without_checks
from apps.dataset.spec import FILES, Spec


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
        documents = [(name, spec, self._read(name)) for name, spec in FILES]
        if self.errors:
            raise SeedError(self.errors)
        with transaction.atomic():
            for index, (name, spec, rows) in enumerate(documents, start=1):
                self.progress(f"[{index}/{len(documents)}] {name}: {len(rows)} rows")
                if spec.model == "jurisdictions.Jurisdiction":
                    rows = _parents_first(rows)
                seen: set[tuple[Any, ...]] = set()
                for number, row in enumerate(rows, start=1):
                    self._load_row(name, number, spec, row, seen)
            if self.errors:
                raise SeedError(self.errors)
            from apps.amendments.status import refresh_all_statuses

            changed = refresh_all_statuses()
            self.progress(f"statuses re-derived: {changed} changed")
        return self.counts

    # -- reading ----------------------------------------------------------
    def _read(self, name: str) -> list[dict[str, Any]]:
        path = self.folder / name
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
        try:
            with transaction.atomic():
                self._upsert(spec, row, parent=None, seen=seen)
        except ValidationError as exc:
            self.errors.append(f"{label}: {_message(exc)}")
        except IntegrityError as exc:
            self.errors.append(f"{label}: {explain(exc, list(apps.get_models()))}")

    def _upsert(
        self,
        spec: Spec,
        row: dict[str, Any],
        *,
        parent: models.Model | None,
        seen: set[tuple[Any, ...]],
    ) -> tuple[models.Model, bool]:
        row = _normalise(spec, row)
        if parent is not None and "provenance" in spec.fields and "provenance" not in row:
            # A penalty or event without its own provenance shares its parent's.
            row = {**row, "provenance": parent.provenance}
        allowed = set(spec.fields) | set(spec.refs) | set(spec.m2m) | set(spec.children)
        unknown = sorted(set(row) - allowed)
        if unknown:
            raise ValidationError(f"unknown field(s) {', '.join(unknown)}")
        model = apps.get_model(spec.model)
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for key, convert in spec.fields.items():
            try:
                converted = convert(row.get(key))
            except ValidationError as exc:
                errors[key] = exc.messages
                continue
            if isinstance(converted, dict):
                values.update(converted)
            else:
                values[key] = converted
        for key, ref in spec.refs.items():
            try:
                values[key] = self._resolve(ref, row.get(key))
            except ValidationError as exc:
                errors[key] = exc.messages
        if parent is not None:
            values[spec.parent_field] = parent
        related: dict[str, list[models.Model]] = {}
        for key, ref in spec.m2m.items():
            try:
                related[key] = [self._resolve(ref, item) for item in (row.get(key) or [])]
            except ValidationError as exc:
                errors[key] = exc.messages
        if errors:
            raise ValidationError(errors)

        natural = tuple(_key_value(values.get(k)) for k in spec.key)
        if natural in seen:
            raise ValidationError(f"duplicate {'/'.join(spec.key)} {natural!r} in this file")
        seen.add(natural)
        existing = model.objects.filter(**{k: values.get(k) for k in spec.key}).first()
        counts = self.counts[model._meta.verbose_name_plural]
        if existing is None:
            obj = model(**values)
            validate_without_checks(obj)
            obj.save()
            changed = True
            counts["inserted"] += 1
        else:
            obj = existing
            changed = [k for k, v in values.items() if not _same(obj, k, v)]
            for k in changed:
                setattr(obj, k, values[k])
        m2m_changed = self._set_m2m(obj, related, save=existing is not None)
        children_changed = self._sync_children(spec, obj, row)
        if existing is not None:
            if changed or m2m_changed or children_changed:
                if hasattr(obj, "version"):
                    obj.version += 1
                validate_without_checks(obj)
                obj.save()
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        return obj, bool(changed or m2m_changed or children_changed)

    def _set_m2m(
        self, obj: models.Model, related: dict[str, list[models.Model]], *, save: bool
    ) -> bool:
        changed = False
        for key, objs in related.items():
            manager = getattr(obj, key)
            if not save or {o.pk for o in manager.all()} != {o.pk for o in objs}:
                manager.set(objs)
                changed = changed or save
        return changed

    def _sync_children(self, spec: Spec, obj: models.Model, row: dict[str, Any]) -> bool:
        changed = False
        for key, child_spec in spec.children.items():
            kept = []
            seen: set[tuple[Any, ...]] = set()
            for child_row in row.get(key) or []:
                if not isinstance(child_row, dict):
                    raise ValidationError(
                        {key: [f"each item must be a mapping, not {child_row!r}"]}
                    )
                try:
                    child, child_changed = self._upsert(
                        child_spec, child_row, parent=obj, seen=seen
                    )
                except ValidationError as exc:
                    raise ValidationError({key: [_message(exc)]}) from None
                kept.append(child.pk)
                changed = changed or child_changed
            model = apps.get_model(child_spec.model)
            stale = model.objects.filter(**{child_spec.parent_field: obj}).exclude(pk__in=kept)
            deleted = stale.count()
            if deleted:
                stale.delete()
                self.counts[model._meta.verbose_name_plural]["deleted"] += deleted
                changed = True
        return changed

    def _resolve(self, ref: str, value: Any) -> models.Model | None:
        if value in (None, ""):
            return None
        label, field = ref.split(":")
        if ref not in self._refs:
            model = apps.get_model(label)
            self._refs[ref] = {str(getattr(o, field)): o for o in model.objects.all()}
        found = self._refs[ref].get(str(value))
        if found is None:
            # Rows inserted by this load are not in the cache yet.
            found = apps.get_model(label).objects.filter(**{field: value}).first()
            if found is None:
                name = apps.get_model(label)._meta.verbose_name
                raise ValidationError(f"unknown {name} {value!r}")
            self._refs[ref][str(value)] = found
        return found


def _normalise(spec: Spec, row: dict[str, Any]) -> dict[str, Any]:
    # An obligation may give one penalty as `penalty:` instead of a list.
    if "penalties" in spec.children and "penalty" in row:
        row = dict(row)
        single = row.pop("penalty")
        row.setdefault("penalties", [single] if single else [])
    return row


def _key_value(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _same(obj: models.Model, name: str, value: Any) -> bool:
    if isinstance(value, models.Model) or (value is None and _is_fk(obj, name)):
        return getattr(obj, f"{name}_id") == (value.pk if value is not None else None)
    current = getattr(obj, name)
    return current == value


def _is_fk(obj: models.Model, name: str) -> bool:
    field = obj._meta.get_field(name)
    return field.is_relation and field.many_to_one


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
