"""The product's navigation, designed once: work areas, their pages, who sees each page.

Every page of the header menu is one ``NavPage`` line below. The header, the breadcrumbs and
the "current area" highlight are all derived from this structure, so adding a page to the
navigation is one line in its area::

    NavPage("/competency/plans", N_("Training plans"), has(Perm.COMPETENCY_ASSESS)),

``allowed`` decides whether the user sees the link. It reuses the domains' own predicates
(``seci.<domain>.access``) or a permission, never a rule of its own: the page's service
still refuses whoever may not use it, the menu only stays out of their way.
``also`` lists the path prefixes of the page's detail pages (an article under the knowledge
catalogue, a sample under quality inspection), which then highlight the page and its area
and get it as their parent in the breadcrumbs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from seci.accounts.models import User
from seci.accounts.roles import Perm
from seci.core.i18n import N_
from seci.linkage import access as linkage_access
from seci.quality import access as quality_access
from seci.suggestions import access as suggestions_access

Predicate = Callable[[User], bool]


def everyone(_user: User) -> bool:
    return True


def has(*perms: Perm) -> Predicate:
    """Users holding any of these permissions."""
    def allowed(user: User) -> bool:
        return any(user.can(perm) for perm in perms)
    return allowed


def sees_post_linkage(user: User) -> bool:
    """The tracker's staff and the agents who acknowledge notices and take their quizzes."""
    return linkage_access.may_view_tracker(user) or user.can(Perm.QUIZ_TAKE)


def works_calls(user: User) -> bool:
    """Agents at the phones: their own calls, numbers and QA scores."""
    return user.can(Perm.ASSISTANT_HANDLE)


def leads_team_only(user: User) -> bool:
    """Team leads without the centre-wide view (analysts see every team there)."""
    return user.can(Perm.CALLS_TEAM) and not user.can(Perm.CALLS_ANALYZE)


@dataclass(frozen=True)
class NavPage:
    path: str
    title: str  # a msgid (N_), translated when shown
    allowed: Predicate = everyone
    also: tuple[str, ...] = ()  # path prefixes of the page's detail pages

    def match(self, path: str) -> int:
        """How specifically this page owns ``path`` (0: not at all)."""
        if path == self.path:
            return len(self.path) + 1  # an exact match beats any prefix
        return max((len(p) for p in self.also if path.startswith(p)), default=0)


@dataclass(frozen=True)
class Area:
    key: str
    title: str  # a msgid
    pages: tuple[NavPage, ...]


# The work areas, in menu order. One line per page; see the module docstring.
AREAS: tuple[Area, ...] = (
    Area("knowledge", N_("Knowledge"), (
        NavPage("/kb/search", N_("Search"), has(Perm.KB_READ), ("/kb/search/",)),
        NavPage("/kb", N_("All knowledge"), has(Perm.KB_READ),
                ("/kb/articles/", "/kb/new-article")),
        NavPage("/kb/new", N_("New knowledge"), has(Perm.KB_READ)),
        NavPage("/kb/feedback", N_("Feedback"), has(Perm.FEEDBACK_CREATE, Perm.ARTICLE_EDIT)),
        NavPage("/kb/drafts", N_("Drafts"), has(Perm.ARTICLE_EDIT)),
        NavPage("/kb/review", N_("Review"), has(Perm.ARTICLE_REVIEW)),
        NavPage("/kb/expiring", N_("Expiring knowledge"), has(Perm.KB_SEE_EXPIRED)),
        NavPage("/kb/coverage", N_("Read coverage"), has(Perm.ACK_COVERAGE)),
        NavPage("/tacit", N_("Best practices"), has(Perm.TACIT_CONTRIBUTE),
                ("/tacit/new", "/tacit/contributions/")),
    )),
    Area("service", N_("Service"), (
        NavPage("/assistant/inbox", N_("Hand-off inbox"), has(Perm.ASSISTANT_HANDLE),
                ("/assistant/inbox/", "/assistant/callbacks")),
        NavPage("/notices", N_("Post linkage"), sees_post_linkage, ("/notices/",)),
        NavPage("/qa", N_("Quality inspection"), has(Perm.QA_INSPECT),
                ("/qa/samples/", "/qa/scores/")),
        NavPage("/qa/appeals", N_("Appeals"), has(Perm.QA_MANAGE)),
        NavPage("/qa/mine", N_("My QA scores"), works_calls),
    )),
    Area("people", N_("Talent"), (
        NavPage("/competency", N_("Competency"), everyone,
                ("/competency/forms/", "/competency/rounds/", "/competency/models/",
                 "/competency/reminders")),
        NavPage("/competency/me", N_("My competency results"), everyone),
        NavPage("/exams", N_("Question bank and exams"), has(Perm.EXAM_MANAGE),
                ("/exams/questions", "/exams/new", "/exams/e/", "/exams/import",
                 "/exams/generate", "/exams/attempts/")),
        NavPage("/exams/mine", N_("My exams"), has(Perm.EXAM_TAKE), ("/exams/take/",)),
        NavPage("/suggestions", N_("Suggestions"), has(Perm.SUGGESTION_SUBMIT),
                ("/suggestions/",)),
        NavPage("/suggestions/inbox", N_("Suggestions to answer"),
                suggestions_access.answers_suggestions),
        NavPage("/tacit/honours", N_("Honour wall"), has(Perm.TACIT_CONTRIBUTE)),
        NavPage("/tacit/leaderboard", N_("Leaderboard"), has(Perm.TACIT_CONTRIBUTE)),
    )),
    Area("analytics", N_("Analytics"), (
        NavPage("/calls/dashboard", N_("Call analytics"), has(Perm.CALLS_ANALYZE),
                ("/calls/list", "/calls/c/", "/calls/compare", "/calls/report")),
        NavPage("/calls/team", N_("My team"), leads_team_only, ("/calls/c/",)),
        NavPage("/calls/me", N_("My numbers"), works_calls),
        NavPage("/mining", N_("Call mining"), has(Perm.CALLS_ANALYZE, Perm.CALLS_TEAM),
                ("/mining/",)),
        NavPage("/qa/scores", N_("QA scores"), quality_access.may_list_scores),
        NavPage("/kb/gaps", N_("Knowledge gaps"), has(Perm.SEARCH_INSIGHTS)),
        NavPage("/suggestions/stats", N_("Suggestion statistics"), has(Perm.SUGGESTION_STATS)),
    )),
    Area("admin", N_("Administration"), (
        NavPage("/kb/import", N_("Import knowledge"), has(Perm.KB_IMPORT)),
        NavPage("/kb/modules", N_("Modules"), has(Perm.MODULE_MANAGE)),
        NavPage("/kb/synonyms", N_("Synonyms"), has(Perm.SYNONYMS_MANAGE), ("/kb/situations",)),
        NavPage("/kb/calibration", N_("Confidence calibration"), has(Perm.SYNONYMS_MANAGE)),
        NavPage("/assistant/rules", N_("Hand-off rules"), has(Perm.ASSISTANT_CONFIGURE),
                ("/assistant/rules/", "/assistant/hours")),
        NavPage("/calls/import", N_("Import calls"), has(Perm.CALLS_IMPORT), ("/calls/import/",)),
        NavPage("/calls/thresholds", N_("Over-long thresholds"), has(Perm.CALLS_ANALYZE)),
        NavPage("/qa/scorecards", N_("Scorecards"), quality_access.may_read_scorecards,
                ("/qa/scorecards/",)),
        NavPage("/tacit/points", N_("Points table"), has(Perm.TACIT_MANAGE)),
        NavPage("/admin/users", N_("Users"), has(Perm.USER_MANAGE), ("/admin/users/",)),
        NavPage("/admin/queues", N_("Queues"), has(Perm.QUEUE_MANAGE)),
        NavPage("/audit", N_("Audit log"), has(Perm.AUDIT_VIEW)),
    )),
)

# Pages outside the work areas: the home page's own, shown under "Home" in the breadcrumbs.
HOME = NavPage("/", N_("Home"))
HOME_PAGES: tuple[NavPage, ...] = (
    NavPage("/inbox", N_("My inbox")),
    NavPage("/account", N_("My account")),
)


@dataclass(frozen=True)
class Located:
    """Where a path sits in the navigation: its area (None for the home page's own pages)
    and the page that owns it (None for pages outside the menu)."""

    area: Area | None = None
    page: NavPage | None = None


def locate(path: str, user: User | None = None) -> Located:
    """The most specific page owning ``path`` (exact path first, then the longest prefix);
    with ``user``, among the pages they see first (a call is under "My team" for a team
    lead, under "Call analytics" for an analyst)."""
    if user is not None:
        seen = locate_among(path, [(a, p) for a in AREAS for p in a.pages if p.allowed(user)])
        if seen.page is not None:
            return seen
    return locate_among(path, [(a, p) for a in AREAS for p in a.pages])


def locate_among(path: str, pages: list[tuple[Area, NavPage]]) -> Located:
    best, best_score = Located(), 0
    for area, page in pages:
        score = page.match(path)
        if score > best_score:
            best, best_score = Located(area, page), score
    for page in HOME_PAGES:
        score = page.match(path)
        if score > best_score:
            best, best_score = Located(None, page), score
    return best


@dataclass(frozen=True)
class MenuArea:
    area: Area
    pages: tuple[NavPage, ...]
    current: bool


@dataclass(frozen=True)
class Crumb:
    title: str  # a msgid
    url: str | None  # None: not a link (an area, or the page itself)


@dataclass(frozen=True)
class Menu:
    areas: tuple[MenuArea, ...]
    here: Located
    crumbs: tuple[Crumb, ...] = field(default=())
    # The page itself is a detail page below its menu entry (its own title comes last).
    below_page: bool = False


def menu_for(user: User, path: str) -> Menu:
    """The areas and pages ``user`` may open (empty areas left out), with the current area
    and the breadcrumbs for ``path``."""
    here = locate(path, user)
    areas = tuple(
        MenuArea(area, pages, here.area is not None and here.area.key == area.key)
        for area in AREAS
        if (pages := tuple(page for page in area.pages if page.allowed(user))))
    crumbs: list[Crumb] = []
    if path != HOME.path:
        crumbs.append(Crumb(HOME.title, HOME.path))
        if here.area is not None:
            crumbs.append(Crumb(here.area.title, None))
        if here.page is not None:
            exact = path == here.page.path
            crumbs.append(Crumb(here.page.title, None if exact else here.page.path))
    below = path != HOME.path and (here.page is None or path != here.page.path)
    return Menu(areas, here, tuple(crumbs), below)


def every_page() -> list[NavPage]:
    """Every page of the menu (for tests and documentation)."""
    return [page for area in AREAS for page in area.pages]
