"""The agent's search page, opening a result (logged), the knowledge-gap report and the
synonym table."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from seci.accounts.roles import Perm
from seci.accounts.service import list_queues
from seci.core.clock import today
from seci.core.errors import Conflict, FieldErrors, PermissionDenied, SeciError
from seci.core.http import CurrentUser, SessionDep, write_aside
from seci.core.messages import describe_error, describe_problem, field_label
from seci.knowledge import articles as kb
from seci.knowledge import modules as mod
from seci.knowledge.lookups import load_lookups
from seci.retrieval import log as search_log
from seci.retrieval import synonyms as syn
from seci.retrieval.service import search
from seci.retrieval.text import seed_synonyms
from seci.web.pages.common import Form, field, optional_int, redirect
from seci.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/kb/search", response_class=HTMLResponse)
def search_page(request: Request, db: SessionDep, user: CurrentUser, q: str = "",
                module: str | None = None, queue: str | None = None,
                as_typed: str | None = None) -> HTMLResponse:
    """Server-rendered results (the page also updates them as you type). ``as_typed``
    (any value): the words exactly as typed, no homophone typo corrected."""
    module_id, queue_id = optional_int(module), optional_int(queue)
    exact = bool(as_typed)
    result = None
    if q.strip():
        result = search(db, engine=request.app.state.search_engine, user=user,
                        query=q.strip(), module_id=module_id, queue_id=queue_id, limit=20,
                        as_typed=exact)
        query = q.strip()
        write_aside(request, db, lambda session: search_log.log_search(
            session, user=user, query=query, result=result), "search")
    look = load_lookups(db)
    paths = {hit.article_id: look.module_path(int(hit.module_path.strip("/").split("/")[-1]))
             for hit in (result.hits if result else [])}
    return render(request, "search/search.html", {
        "q": q, "result": result, "paths": paths, "tree": mod.build_tree(db),
        "queues": list_queues(db) if user.can(Perm.KB_READ_ALL_QUEUES)
        else [x for x in list_queues(db) if x.id in user.queue_ids],
        "filters": {"module": module_id, "queue": queue_id}, "today": today(),
        "as_typed": exact, "as_typed_url": "/kb/search?" + urlencode({
            name: value for name, value in
            (("q", q.strip()), ("queue", queue), ("module", module), ("as_typed", "1"))
            if value}),
    }, user=user)


@router.get("/kb/search/open")
def open_result(request: Request, db: SessionDep, user: CurrentUser, article: int, q: str = ""
                ) -> Response:
    """Record which article was opened for which query, then show it."""
    if query := q.strip():
        write_aside(request, db, lambda session: search_log.log_open(
            session, user=user, query=query, article_id=article), "opened result")
    return RedirectResponse(f"/kb/articles/{article}", status_code=303)


def _need_insights(user: CurrentUser) -> None:
    if not user.can(Perm.SEARCH_INSIGHTS):
        raise PermissionDenied()


@router.get("/kb/gaps", response_class=HTMLResponse)
def gaps_page(request: Request, db: SessionDep, user: CurrentUser, days: int = 30
              ) -> HTMLResponse:
    """Top queries, queries without a good answer (知识缺口), and wordings found since."""
    report = search_log.gap_report(db, actor=user, days=days)
    return render(request, "search/gaps.html", {
        "days": report.days, "gaps": report.gaps, "learnt": report.learnt, "top": report.top,
    }, user=user)


@router.post("/kb/gaps/question")
def add_similar_question(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    """One step: a revision of the chosen article with the query as a new similar question
    (it then goes through review like any edit; the service checks the edit right)."""
    article = kb.get_article_by_code(db, code=field(form, "code").strip())
    kb.add_similar_question(db, article_id=article.id, question=field(form, "query"),
                            actor=user)
    return redirect(f"/kb/articles/{article.id}/edit", "saved")


@router.post("/kb/gaps/discard")
def discard_learnt_wording(db: SessionDep, user: CurrentUser, form: Form) -> Response:
    """"Not this article": the wording is no longer learnt as that article's question."""
    article = optional_int(field(form, "article_id"))
    search_log.discard_learnt_wording(db, actor=user, normalized=field(form, "normalized"),
                                      article_id=article if article is not None else -1)
    return redirect("/kb/gaps", "saved")


@router.get("/kb/gaps/draft")
def draft_from_gap(user: CurrentUser, query: str) -> Response:
    """One step: the editor, prefilled with the query as title and similar question."""
    _need_insights(user)
    return RedirectResponse("/kb/new-article?" + urlencode({"title": query,
                                                            "question": query}),
                            status_code=303)


# --- the synonym table ----------------------------------------------------------------------


def _need_synonyms(user: CurrentUser) -> None:
    if not user.can(Perm.SYNONYMS_MANAGE):
        raise PermissionDenied()


def _synonyms_page(request: Request, db: SessionDep, user: CurrentUser, *,
                   trial: str = "", error: str | None = None,
                   form: dict[str, str] | None = None, status_code: int = 200
                   ) -> HTMLResponse:
    engine = request.app.state.search_engine
    engine.sync(db)
    return render(request, "search/synonyms.html", {
        "rules": syn.list_rules(db), "shipped": seed_synonyms(), "trial": trial,
        "trial_tokens": engine.analyzer.tokens(trial) if trial.strip() else [],
        "error": error, "form": form or {},
    }, user=user, status_code=status_code)


@router.get("/kb/synonyms", response_class=HTMLResponse)
def synonyms_page(request: Request, db: SessionDep, user: CurrentUser, trial: str = ""
                  ) -> HTMLResponse:
    """Managers' synonym groups, the shipped table, and a box to see how a text is read."""
    _need_synonyms(user)
    return _synonyms_page(request, db, user, trial=trial[:500])


def _rule_input(form: Form) -> syn.RuleInput:
    return syn.RuleInput(field(form, "canonical"), syn.split_terms(field(form, "variants")),
                         field(form, "note"))


def _form_error(error: SeciError) -> str:
    if isinstance(error, FieldErrors):
        return " ".join(f"{field_label(str(p.get('field')))}: {describe_problem(p)}"
                        for p in error.errors)
    return describe_error(error)


@router.post("/kb/synonyms", response_class=HTMLResponse)
def create_synonyms(request: Request, db: SessionDep, user: CurrentUser, form: Form
                    ) -> Response:
    _need_synonyms(user)
    try:
        syn.create_rule(db, actor=user, data=_rule_input(form))
    except (FieldErrors, Conflict) as error:
        db.rollback()
        return _synonyms_page(request, db, user, error=_form_error(error), status_code=422,
                              form={k: field(form, k) for k in ("canonical", "variants",
                                                                 "note")})
    return redirect("/kb/synonyms", "saved")


@router.post("/kb/synonyms/{rule_id}", response_class=HTMLResponse)
def update_synonyms(request: Request, db: SessionDep, user: CurrentUser, rule_id: int,
                    form: Form) -> Response:
    _need_synonyms(user)
    expected = optional_int(field(form, "lock_version")) or 0
    try:
        if field(form, "action") == "delete":
            syn.delete_rule(db, actor=user, rule_id=rule_id, expected_lock_version=expected)
        else:
            syn.update_rule(db, actor=user, rule_id=rule_id, expected_lock_version=expected,
                            data=_rule_input(form))
    except (FieldErrors, Conflict) as error:
        db.rollback()
        return _synonyms_page(request, db, user, error=_form_error(error),
                              status_code=error.status_code)
    return redirect("/kb/synonyms", "saved")
