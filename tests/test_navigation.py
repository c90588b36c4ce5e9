"""The navigation structure (seci.web.navigation), the header built from it, breadcrumbs,
the language switch's way back, the favicon."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from seci.accounts.roles import Perm
from seci.web import navigation
from seci.web.navigation import AREAS, locate, menu_for
from tests.factories import USERS, World, web_login


def test_every_menu_page_is_offered_to_some_role(world: World) -> None:
    """No orphan entry: each page is in somebody's menu (and the test below opens it)."""
    offered = {page.path for name in USERS
               for entry in menu_for(world[name], "/").areas for page in entry.pages}
    assert offered == {page.path for page in navigation.every_page()}


def test_every_path_appears_once_in_the_menu() -> None:
    paths = [page.path for page in navigation.every_page()]
    assert len(paths) == len(set(paths))
    assert [area.key for area in AREAS] == ["knowledge", "service", "people", "analytics",
                                             "admin"]


def test_a_detail_page_belongs_to_its_menu_page() -> None:
    here = locate("/kb/articles/12/edit")
    assert here.area is not None and here.area.key == "knowledge"
    assert here.page is not None and here.page.path == "/kb"
    assert locate("/qa/scores").page.path == "/qa/scores"  # type: ignore[union-attr]
    assert locate("/qa/scores/7").page.path == "/qa"  # type: ignore[union-attr]
    assert locate("/kb/new").page.path == "/kb/new"  # type: ignore[union-attr]
    assert locate("/inbox").area is None
    assert locate("/chat") == navigation.Located()


def test_breadcrumbs_come_from_the_structure(world: World) -> None:
    menu = menu_for(world["agent"], "/kb/articles/3")
    assert [(c.title, c.url) for c in menu.crumbs] == [
        ("Home", "/"), ("Knowledge", None), ("All knowledge", "/kb")]
    assert menu.below_page  # the article's own title comes last
    exact = menu_for(world["agent"], "/kb")
    assert [c.url for c in exact.crumbs] == ["/", None, None] and not exact.below_page
    assert menu_for(world["agent"], "/").crumbs == ()


def test_a_call_sits_under_the_page_the_user_sees(world: World) -> None:
    """An analyst reaches a call from the centre's analytics, a team lead from the team."""
    analyst = menu_for(world["analyst"], "/calls/c/C1").here.page
    lead = menu_for(world["supervisor"], "/calls/c/C1").here.page
    assert analyst is not None and analyst.path == "/calls/dashboard"
    assert lead is not None and lead.path == "/calls/team"


def test_menus_per_role(world: World) -> None:
    def areas(name: str) -> dict[str, list[str]]:
        return {entry.area.key: [p.path for p in entry.pages]
                for entry in menu_for(world[name], "/").areas}

    agent = areas("agent")
    assert "admin" not in agent
    assert "/kb/search" in agent["knowledge"] and "/assistant/inbox" in agent["service"]
    assert "/kb/review" not in agent["knowledge"]
    manager = areas("manager")
    assert set(manager) == {"knowledge", "service", "people", "analytics", "admin"}
    assert "/kb/review" in manager["knowledge"] and "/kb/import" in manager["admin"]
    assert "/admin/users" in areas("admin")["admin"]
    assert "/admin/users" not in manager["admin"]
    # No role gets more than ~12 entries in one area: the menu stays scannable.
    for name in USERS:
        assert all(len(pages) <= 12 for pages in areas(name).values()), name


@pytest.mark.parametrize("name", sorted(USERS))
def test_every_page_in_a_menu_opens_for_its_user(client: TestClient, world: World,
                                                 name: str) -> None:
    """The menu offers no page that would answer 403 (or fail) for the user."""
    web_login(client, name)
    for entry in menu_for(world[name], "/").areas:
        for page in entry.pages:
            response = client.get(page.path)
            assert response.status_code == 200, (name, page.path, response.status_code)


def test_the_header_shows_areas_search_and_breadcrumbs(client: TestClient,
                                                       world: World) -> None:
    web_login(client, "agent")
    html = client.get("/kb/new").text
    assert re.search(r'<details class="area current" data-area="knowledge">', html)
    assert 'class="active" aria-current="page">新知识</a>' in html
    assert '<form class="headsearch" method="get" action="/kb/search" role="search">' in html
    assert 'aria-label="面包屑导航"' in html
    assert '<a href="/">首页</a>' in html
    assert 'data-area="admin"' not in html  # nothing an agent could open


def test_no_menu_and_no_search_without_a_login(client: TestClient) -> None:
    html = client.get("/login").text
    assert "mainnav" not in html and "headsearch" not in html


def test_the_language_switch_comes_back_with_the_query(client: TestClient,
                                                      world: World) -> None:
    web_login(client, "agent")
    html = client.get("/kb?q=5G%E5%A5%97%E9%A4%90&validity=valid&flash=saved").text
    back = "/kb?q=5G%E5%A5%97%E9%A4%90&validity=valid"  # the one-time flash is left out
    assert f'href="/lang/en?back={quote(back, safe="/")}"' in html
    response = client.get(f"/lang/en?back={quote(back, safe='/')}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == back
    assert "All knowledge" in client.get(response.headers["location"]).text


def test_the_language_switch_stays_on_the_site(client: TestClient) -> None:
    response = client.get("/lang/en?back=//evil.example/x", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_favicon(client: TestClient, world: World) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    assert client.get("/static/favicon.png").content[:8] == b"\x89PNG\r\n\x1a\n"
    web_login(client, "agent")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in \
        client.get("/").text
    assert '<link rel="icon"' in client.get("/login").text


def test_header_search_needs_knowledge_reading(world: World) -> None:
    assert all(world[name].can(Perm.KB_READ) for name in USERS)  # staff all read the KB
