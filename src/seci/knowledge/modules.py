"""The business-module tree (业务模块): any depth, rename, move, archive."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import String, func, literal, select, update
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.audit.service import record
from seci.core.errors import PermissionDenied
from seci.knowledge.errors import (
    ModuleArchived,
    ModuleCycle,
    ModuleNameTaken,
    ModuleNotEmpty,
    ModuleNotFound,
)
from seci.knowledge.models import Article, ArticleStatus, Module

PATH_SEPARATOR = "/"


@dataclass
class ModuleNode:
    module: Module
    children: list[ModuleNode] = field(default_factory=list)
    article_count: int = 0


def get_module(session: Session, *, module_id: int) -> Module:
    module = session.get(Module, module_id)
    if module is None:
        raise ModuleNotFound(module=module_id)
    return module


def all_modules(session: Session, *, include_archived: bool = True) -> Sequence[Module]:
    query = select(Module).order_by(Module.position, Module.name)
    if not include_archived:
        query = query.where(Module.archived.is_(False))
    return session.scalars(query).all()


def module_names_by_id(session: Session) -> dict[int, Module]:
    return {m.id: m for m in all_modules(session)}


def breadcrumb(modules: dict[int, Module], module_id: int) -> list[Module]:
    """Root-first chain of modules down to ``module_id``."""
    module = modules.get(module_id)
    if module is None:
        return []
    ids = [int(part) for part in module.path.strip("/").split("/") if part]
    return [modules[i] for i in ids if i in modules]


def path_label(modules: dict[int, Module], module_id: int) -> str:
    return PATH_SEPARATOR.join(m.name for m in breadcrumb(modules, module_id))


def build_tree(
    session: Session, *, include_archived: bool = False, counts: dict[int, int] | None = None
) -> list[ModuleNode]:
    nodes = {
        m.id: ModuleNode(m, article_count=(counts or {}).get(m.id, 0))
        for m in all_modules(session, include_archived=include_archived)
    }
    roots: list[ModuleNode] = []
    for node in nodes.values():
        parent = nodes.get(node.module.parent_id) if node.module.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def subtree_ids(session: Session, *, module_id: int) -> list[int]:
    module = get_module(session, module_id=module_id)
    return list(session.scalars(select(Module.id).where(Module.path.startswith(module.path))))


def modules_within(session: Session, *, roots: Iterable[int]) -> set[int]:
    """All module ids in the subtrees of ``roots`` (a user's module access)."""
    paths = [m.path for m in session.scalars(select(Module).where(Module.id.in_(set(roots))))]
    if not paths:
        return set()
    found: set[int] = set()
    for path in paths:
        found.update(session.scalars(select(Module.id).where(Module.path.startswith(path))))
    return found


def _check_sibling_name(session: Session, *, parent_id: int | None, name: str,
                        exclude_id: int | None = None) -> None:
    query = select(Module.id).where(Module.name == name)
    query = query.where(
        Module.parent_id.is_(None) if parent_id is None else Module.parent_id == parent_id
    )
    if exclude_id is not None:
        query = query.where(Module.id != exclude_id)
    if session.scalar(query) is not None:
        raise ModuleNameTaken(name=name)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.replace(PATH_SEPARATOR, " ").split())
    if not cleaned:
        raise ModuleNotFound(module=name)
    return cleaned[:80]


def require_module_manager(actor: User) -> None:
    """Shaping the tree (create, rename, move, archive) is the knowledge managers' work;
    the CLI and jobs act as the system actor, which holds every permission."""
    if not actor.can(Perm.MODULE_MANAGE):
        raise PermissionDenied()


def create_module(session: Session, *, name: str, parent_id: int | None, actor: User
                  ) -> Module:
    require_module_manager(actor)
    return _insert_module(session, name=name, parent_id=parent_id, actor=actor)


def _insert_module(session: Session, *, name: str, parent_id: int | None, actor: User
                   ) -> Module:
    name = _clean_name(name)
    parent = get_module(session, module_id=parent_id) if parent_id is not None else None
    if parent is not None and parent.archived:
        raise ModuleArchived(module=parent.name)
    _check_sibling_name(session, parent_id=parent_id, name=name)
    position = session.scalar(
        select(func.count()).select_from(Module).where(
            Module.parent_id.is_(None) if parent_id is None else Module.parent_id == parent_id
        )
    ) or 0
    module = Module(name=name, parent_id=parent_id, position=position)
    session.add(module)
    session.flush()
    module.path = f"{parent.path if parent else '/'}{module.id}/"
    session.flush()
    record(session, actor=actor, action="module.create", entity_type="module",
           entity_id=module.id, summary=name, after={"parent_id": parent_id, "name": name})
    return module


def rename_module(session: Session, *, module_id: int, name: str, actor: User) -> Module:
    require_module_manager(actor)
    module = get_module(session, module_id=module_id)
    name = _clean_name(name)
    _check_sibling_name(session, parent_id=module.parent_id, name=name, exclude_id=module.id)
    before = module.name
    module.name = name
    record(session, actor=actor, action="module.rename", entity_type="module",
           entity_id=module.id, summary=name, before={"name": before}, after={"name": name})
    session.flush()
    return module


def move_module(
    session: Session, *, module_id: int, new_parent_id: int | None, actor: User
) -> Module:
    """Re-hang a subtree; every descendant's path is rewritten in one statement."""
    require_module_manager(actor)
    module = get_module(session, module_id=module_id)
    new_parent = get_module(session, module_id=new_parent_id) if new_parent_id else None
    if new_parent is not None and new_parent.path.startswith(module.path):
        raise ModuleCycle()
    _check_sibling_name(session, parent_id=new_parent_id, name=module.name, exclude_id=module.id)
    old_path = module.path
    new_path = f"{new_parent.path if new_parent else '/'}{module.id}/"
    before_parent = module.parent_id
    module.parent_id = new_parent_id
    session.flush()
    session.execute(
        update(Module)
        .where(Module.path.startswith(old_path))
        .values(path=literal(new_path, String) + func.substr(Module.path, len(old_path) + 1))
        .execution_options(synchronize_session="fetch")
    )
    session.refresh(module)
    record(session, actor=actor, action="module.move", entity_type="module",
           entity_id=module.id, summary=module.name,
           before={"parent_id": before_parent}, after={"parent_id": new_parent_id})
    return module


def archive_module(session: Session, *, module_id: int, archived: bool, actor: User) -> Module:
    """Archive a subtree that holds no live article (archiving loses nothing)."""
    require_module_manager(actor)
    module = get_module(session, module_id=module_id)
    ids = subtree_ids(session, module_id=module_id)
    if archived:
        live = session.scalar(
            select(func.count()).select_from(Article).where(
                Article.module_id.in_(ids), Article.status != ArticleStatus.RETIRED
            )
        ) or 0
        if live:
            raise ModuleNotEmpty(module=module.name, count=live)
        session.execute(update(Module).where(Module.id.in_(ids)).values(archived=True))
    else:
        module.archived = False
    session.flush()
    session.refresh(module)
    record(session, actor=actor, action="module.archive" if archived else "module.restore",
           entity_type="module", entity_id=module.id, summary=module.name)
    return module


def find_by_path(session: Session, *, path: str) -> Module | None:
    """Resolve '个人业务/资费套餐' to a module, or None."""
    parent_id: int | None = None
    module: Module | None = None
    for part in split_path(path):
        module = session.scalar(
            select(Module).where(
                Module.name == part,
                Module.parent_id.is_(None) if parent_id is None else Module.parent_id == parent_id,
            )
        )
        if module is None:
            return None
        parent_id = module.id
    return module


def split_path(path: str) -> list[str]:
    return [" ".join(p.split()) for p in path.replace("\\", "/").split("/") if p.strip()]


def ensure_path(session: Session, *, path: str, actor: User) -> Module:
    """Find or create every module along ``path``: an import creates the modules its rows
    name, covered by the importer's own permission (checked by the import)."""
    parent: Module | None = None
    for part in split_path(path):
        found = session.scalar(
            select(Module).where(
                Module.name == part,
                Module.parent_id.is_(None) if parent is None else Module.parent_id == parent.id,
            )
        )
        parent = found or _insert_module(
            session, name=part, parent_id=parent.id if parent else None, actor=actor
        )
    if parent is None:
        raise ModuleNotFound(module=path)
    return parent
