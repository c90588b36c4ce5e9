"""Competency models: dimensions → items → questions (1–5 with anchors for 1, 3 and 5),
the shipped template of source 003, copies and edits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.errors import FieldErrors
from seci.people import access
from seci.people.errors import ModelInUse, ModelNotFound
from seci.people.models import (
    AssessmentRound,
    CompetencyDimension,
    CompetencyItem,
    CompetencyModel,
    CompetencyQuestion,
)

TEMPLATE_KEY = "hotline_2016"
MAX_NAME = 80
MAX_TEXT = 300
MAX_ANCHOR = 200


@dataclass
class QuestionSpec:
    text: str
    anchor_1: str
    anchor_3: str
    anchor_5: str
    id: int | None = None  # set when read from the database


@dataclass
class ItemSpec:
    name: str
    description: str = ""
    questions: list[QuestionSpec] = field(default_factory=list)
    id: int | None = None


@dataclass
class DimensionSpec:
    name: str
    description: str = ""
    items: list[ItemSpec] = field(default_factory=list)
    id: int | None = None


@dataclass
class ModelSpec:
    name: str
    description: str = ""
    dimensions: list[DimensionSpec] = field(default_factory=list)

    def items(self) -> list[ItemSpec]:
        return [item for dimension in self.dimensions for item in dimension.items]

    def questions(self) -> list[QuestionSpec]:
        return [q for item in self.items() for q in item.questions]


@lru_cache(maxsize=1)
def _template_data() -> dict[str, Any]:
    text = (resources.files("seci.people") / "data" / "competency_template.json").read_text(
        encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def template_spec() -> ModelSpec:
    """The shipped model (source 003): 3 dimensions, 11 items, 33 questions."""
    data = _template_data()
    return ModelSpec(name=data["name"], description=data["description"], dimensions=[
        DimensionSpec(name=d["name"], description=d["description"], items=[
            ItemSpec(name=i["name"], description=i["description"], questions=[
                QuestionSpec(text=q["text"], anchor_1=q["a1"], anchor_3=q["a3"],
                             anchor_5=q["a5"]) for q in i["questions"]])
            for i in d["items"]])
        for d in data["dimensions"]])


def list_models(session: Session, *, actor: User, include_archived: bool = False
                ) -> list[CompetencyModel]:
    """Models by name, for editors and those who open rounds."""
    access.require_model_reader(actor)
    query = select(CompetencyModel).order_by(CompetencyModel.name, CompetencyModel.id)
    if not include_archived:
        query = query.where(CompetencyModel.archived.is_(False))
    return list(session.scalars(query))


def get_model(session: Session, *, actor: User, model_id: int) -> CompetencyModel:
    access.require_model_reader(actor)
    return _model(session, model_id)


def _model(session: Session, model_id: int) -> CompetencyModel:
    found = session.get(CompetencyModel, model_id)
    if found is None:
        raise ModelNotFound()
    return found


def model_spec(session: Session, model_id: int) -> ModelSpec:
    """The model's tree in order (no permission check: callers checked the round or model)."""
    model = _model(session, model_id)
    dimensions = list(session.scalars(select(CompetencyDimension).where(
        CompetencyDimension.model_id == model_id).order_by(CompetencyDimension.position)))
    items = list(session.scalars(select(CompetencyItem).where(
        CompetencyItem.dimension_id.in_([d.id for d in dimensions]))
        .order_by(CompetencyItem.position)))
    questions = list(session.scalars(select(CompetencyQuestion).where(
        CompetencyQuestion.item_id.in_([i.id for i in items]))
        .order_by(CompetencyQuestion.position)))
    by_item: dict[int, list[QuestionSpec]] = {}
    for q in questions:
        by_item.setdefault(q.item_id, []).append(QuestionSpec(
            text=q.text, anchor_1=q.anchor_1, anchor_3=q.anchor_3, anchor_5=q.anchor_5,
            id=q.id))
    by_dimension: dict[int, list[ItemSpec]] = {}
    for i in items:
        by_dimension.setdefault(i.dimension_id, []).append(ItemSpec(
            name=i.name, description=i.description, questions=by_item.get(i.id, []), id=i.id))
    return ModelSpec(name=model.name, description=model.description, dimensions=[
        DimensionSpec(name=d.name, description=d.description,
                      items=by_dimension.get(d.id, []), id=d.id) for d in dimensions])


def read_model(session: Session, *, actor: User, model_id: int) -> ModelSpec:
    access.require_model_reader(actor)
    return model_spec(session, model_id)


def model_in_use(session: Session, model_id: int) -> bool:
    return session.scalar(select(AssessmentRound.id).where(
        AssessmentRound.model_id == model_id).limit(1)) is not None


def validate_spec(spec: ModelSpec) -> None:
    """Every level named, every dimension with an item, every item with a question with
    its three anchors; lengths within the columns."""
    errors: list[dict[str, Any]] = []

    def need(value: str, where: str, limit: int) -> None:
        if not value.strip():
            errors.append({"field": where, "code": "required"})
        elif len(value) > limit:
            errors.append({"field": where, "code": "too_long", "max": limit})

    need(spec.name, "name", MAX_NAME)
    if not spec.dimensions:
        errors.append({"field": "d0_name", "code": "required"})
    for d, dimension in enumerate(spec.dimensions):
        need(dimension.name, f"d{d}_name", MAX_NAME)
        if not dimension.items:
            errors.append({"field": f"d{d}_i0_name", "code": "required"})
        for i, item in enumerate(dimension.items):
            need(item.name, f"d{d}_i{i}_name", MAX_NAME)
            if not item.questions:
                errors.append({"field": f"d{d}_i{i}_q0_text", "code": "required"})
            for q, question in enumerate(item.questions):
                prefix = f"d{d}_i{i}_q{q}"
                need(question.text, f"{prefix}_text", MAX_TEXT)
                for anchor in ("anchor_1", "anchor_3", "anchor_5"):
                    need(getattr(question, anchor), f"{prefix}_{anchor}", MAX_ANCHOR)
    if errors:
        raise FieldErrors(errors)


def _write_tree(session: Session, model: CompetencyModel, spec: ModelSpec) -> None:
    for d_pos, dimension in enumerate(spec.dimensions):
        d_row = CompetencyDimension(model_id=model.id, position=d_pos,
                                    name=dimension.name.strip(),
                                    description=dimension.description.strip()[:500])
        session.add(d_row)
        session.flush()
        for i_pos, item in enumerate(dimension.items):
            i_row = CompetencyItem(dimension_id=d_row.id, position=i_pos,
                                   name=item.name.strip(),
                                   description=item.description.strip()[:500])
            session.add(i_row)
            session.flush()
            session.add_all(CompetencyQuestion(
                item_id=i_row.id, position=q_pos, text=q.text.strip(),
                anchor_1=q.anchor_1.strip(), anchor_3=q.anchor_3.strip(),
                anchor_5=q.anchor_5.strip()) for q_pos, q in enumerate(item.questions))
    session.flush()


def _delete_tree(session: Session, model_id: int) -> None:
    dimension_ids = select(CompetencyDimension.id).where(
        CompetencyDimension.model_id == model_id)
    item_ids = select(CompetencyItem.id).where(CompetencyItem.dimension_id.in_(dimension_ids))
    session.execute(delete(CompetencyQuestion).where(CompetencyQuestion.item_id.in_(item_ids)))
    session.execute(delete(CompetencyItem).where(CompetencyItem.dimension_id.in_(dimension_ids)))
    session.execute(delete(CompetencyDimension).where(CompetencyDimension.model_id == model_id))



def create_model(session: Session, *, actor: User, spec: ModelSpec,
                 template: str | None = None) -> CompetencyModel:
    """A new model from a full tree."""
    access.require_model_editor(actor)
    validate_spec(spec)
    model = CompetencyModel(name=spec.name.strip(), description=spec.description.strip()[:1000],
                            template=template, created_by_id=actor.id)
    session.add(model)
    session.flush()
    _write_tree(session, model, spec)
    record(session, actor=actor, action="competency.model_create", entity_type="competency_model",
           entity_id=model.id, summary=model.name)
    return model


def create_from_template(session: Session, *, actor: User, name: str | None = None
                         ) -> CompetencyModel:
    """A model from the shipped template (source 003), to use as is or edit."""
    spec = template_spec()
    if name and name.strip():
        spec.name = name
    return create_model(session, actor=actor, spec=spec, template=TEMPLATE_KEY)


def copy_model(session: Session, *, actor: User, model_id: int, name: str) -> CompetencyModel:
    """A copy that can be edited (a model in use by a round cannot change)."""
    access.require_model_editor(actor)
    spec = model_spec(session, model_id)
    spec.name = name
    return create_model(session, actor=actor, spec=spec)


def save_model(session: Session, *, actor: User, model_id: int, spec: ModelSpec
               ) -> CompetencyModel:
    """Replace a model's tree (name, description, dimensions, items, questions); refused
    once a round uses it, so results never change meaning behind a round."""
    access.require_model_editor(actor)
    model = _model(session, model_id)
    if model_in_use(session, model_id):
        raise ModelInUse()
    validate_spec(spec)
    _delete_tree(session, model_id)
    model.name = spec.name.strip()
    model.description = spec.description.strip()[:1000]
    _write_tree(session, model, spec)
    record(session, actor=actor, action="competency.model_edit", entity_type="competency_model",
           entity_id=model.id, summary=model.name)
    return model


def archive_model(session: Session, *, actor: User, model_id: int, archived: bool = True
                  ) -> CompetencyModel:
    """Archived models are not offered for new rounds; their rounds stay."""
    access.require_model_editor(actor)
    model = _model(session, model_id)
    model.archived = archived
    session.flush()
    return model
