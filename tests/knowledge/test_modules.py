"""The business-module tree: any depth, create, rename, move, archive."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from seci.core.errors import PermissionDenied
from seci.knowledge import articles as kb
from seci.knowledge import modules as mod
from seci.knowledge import queries
from seci.knowledge.errors import ModuleArchived, ModuleCycle, ModuleNameTaken, ModuleNotEmpty
from seci.knowledge.models import Module
from tests.factories import World, fields, make_article


def test_tree_of_any_depth_and_breadcrumbs(db: Session, world: World) -> None:
    parent = world.modules["资费套餐"]
    deep = parent
    for name in ("5G套餐", "个人", "畅享", "2026版"):
        deep = mod.create_module(db, name=name, parent_id=deep.id, actor=world["manager"])
    assert mod.path_label(mod.module_names_by_id(db), deep.id) == \
        "个人业务/资费套餐/5G套餐/个人/畅享/2026版"
    assert deep.id in mod.subtree_ids(db, module_id=world.modules["个人业务"].id)


def test_sibling_names_are_unique(db: Session, world: World) -> None:
    with pytest.raises(ModuleNameTaken):
        mod.create_module(db, name="账务", parent_id=world.modules["个人业务"].id,
                          actor=world["manager"])
    # the same name elsewhere in the tree is fine
    mod.create_module(db, name="账务", parent_id=world.modules["家庭业务"].id,
                      actor=world["manager"])


def test_rename_keeps_articles_in_place(db: Session, world: World) -> None:
    article = make_article(db, world)
    mod.rename_module(db, module_id=world.modules["资费套餐"].id, name="套餐资费",
                      actor=world["manager"])
    look = mod.module_names_by_id(db)
    assert mod.path_label(look, article.module_id) == "个人业务/套餐资费"


def test_move_rewrites_the_whole_subtree(db: Session, world: World) -> None:
    child = mod.create_module(db, name="流量包", parent_id=world.modules["资费套餐"].id,
                              actor=world["manager"])
    article = make_article(db, world, module_id=child.id)
    mod.move_module(db, module_id=world.modules["资费套餐"].id,
                    new_parent_id=world.modules["家庭业务"].id, actor=world["manager"])
    look = mod.module_names_by_id(db)
    assert mod.path_label(look, child.id) == "家庭业务/资费套餐/流量包"
    assert child.id in mod.subtree_ids(db, module_id=world.modules["家庭业务"].id)
    assert child.id not in mod.subtree_ids(db, module_id=world.modules["个人业务"].id)
    listed, _ = queries.list_articles(db, user=world["manager"], query=queries.ArticleQuery(
        module_id=world.modules["家庭业务"].id))
    assert article.id in {a.id for a in listed}
    # moving to the top level works too
    mod.move_module(db, module_id=child.id, new_parent_id=None, actor=world["manager"])
    assert mod.path_label(mod.module_names_by_id(db), child.id) == "流量包"


def test_a_module_cannot_move_under_itself(db: Session, world: World) -> None:
    with pytest.raises(ModuleCycle):
        mod.move_module(db, module_id=world.modules["个人业务"].id,
                        new_parent_id=world.modules["资费套餐"].id, actor=world["manager"])


def test_archive_refuses_a_module_with_live_articles(db: Session, world: World) -> None:
    make_article(db, world)
    with pytest.raises(ModuleNotEmpty):
        mod.archive_module(db, module_id=world.modules["个人业务"].id, archived=True,
                           actor=world["manager"])
    empty = world.modules["宽带"]
    mod.archive_module(db, module_id=empty.id, archived=True, actor=world["manager"])
    assert empty.archived
    with pytest.raises(ModuleArchived):
        kb.create_article(db, fields=fields(world, module_id=empty.id), actor=world["manager"])
    assert empty.id not in {m.id for m in mod.all_modules(db, include_archived=False)}
    mod.archive_module(db, module_id=empty.id, archived=False, actor=world["manager"])
    assert not empty.archived


@pytest.mark.parametrize("role", ["agent", "editor", "reviewer", "analyst"])
def test_only_knowledge_managers_shape_the_tree(db: Session, world: World, role: str) -> None:
    """The rule lives in the service: whatever route or page calls it."""
    actor = world[role]
    personal = world.modules["个人业务"]
    attempts = [
        lambda: mod.create_module(db, name="新模块", parent_id=None, actor=actor),
        lambda: mod.rename_module(db, module_id=personal.id, name="个人", actor=actor),
        lambda: mod.move_module(db, module_id=world.modules["账务"].id,
                                new_parent_id=world.modules["家庭业务"].id, actor=actor),
        lambda: mod.archive_module(db, module_id=world.modules["宽带"].id, archived=True,
                                   actor=actor),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    db.expire_all()
    assert db.get(Module, personal.id).name == "个人业务"  # type: ignore[union-attr]
