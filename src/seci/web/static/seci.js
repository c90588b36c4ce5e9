// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // Live Markdown preview in the editor, rendered by the server's sanitiser.
  function setupPreview() {
    var input = document.getElementById("body-input");
    var pane = document.getElementById("preview");
    var form = document.getElementById("editor");
    if (!input || !pane || !form) { return; }
    var timer = null;
    function refresh() {
      var data = new FormData();
      data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      data.append("body", input.value);
      fetch(pane.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { pane.innerHTML = html; });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    refresh();
  }

  // Warn before leaving an editor with unsaved changes.
  function setupUnsavedGuard() {
    var form = document.getElementById("editor");
    if (!form) { return; }
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (e) {
      if (dirty) { e.preventDefault(); e.returnValue = ""; }
    });
  }

  function setupBackLinks() {
    document.querySelectorAll("[data-back]").forEach(function (link) {
      link.addEventListener("click", function (e) {
        if (history.length > 1) { e.preventDefault(); history.back(); }
      });
    });
  }

  // Filter forms (GET): leave out empty fields, so "All queues" / "Any time" send nothing
  // instead of an empty number (the server rejects `queue=` with 422) and URLs stay short.
  function setupFilterForms() {
    document.querySelectorAll("form.filters, form.searchbar").forEach(function (form) {
      if ((form.getAttribute("method") || "get").toLowerCase() !== "get") { return; }
      form.addEventListener("submit", function (e) {
        var params = new URLSearchParams();
        new FormData(form).forEach(function (value, name) {
          if (typeof value === "string" && value.trim() !== "") { params.append(name, value); }
        });
        e.preventDefault();
        var query = params.toString();
        var action = form.getAttribute("action") || window.location.pathname;
        window.location.assign(action + (query ? "?" + query : ""));
      });
    });
  }

  // The header's menus are <details>: they work without JavaScript. This only makes them
  // behave like menus: one area open at a time, closed by Escape or a click elsewhere.
  function setupMenus() {
    var menus = Array.prototype.slice.call(
      document.querySelectorAll(".topbar details.area, .topbar details.navmenu"));
    if (!menus.length) { return; }
    // Browsers without ::details-content cannot keep the wide-screen menu open in CSS.
    var whole = document.querySelector(".topbar details.navmenu");
    if (whole && window.CSS && CSS.supports && !CSS.supports("selector(::details-content)") &&
        window.matchMedia("(min-width: 861px)").matches) {
      whole.open = true;
    }
    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open || !menu.classList.contains("area")) { return; }
        menus.forEach(function (other) {
          if (other !== menu && other.classList.contains("area")) { other.open = false; }
        });
      });
    });
    document.addEventListener("click", function (e) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(e.target) && menu.querySelector("summary").offsetParent) {
          menu.open = false;
        }
      });
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") { return; }
      var open = menus.filter(function (menu) {
        return menu.open && menu.querySelector("summary").offsetParent;
      });
      if (!open.length) { return; }
      var innermost = open[open.length - 1];
      innermost.open = false;
      innermost.querySelector("summary").focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupMenus();
    setupPreview();
    setupUnsavedGuard();
    setupBackLinks();
    setupFilterForms();
  });
})();

// Agent search: results as you type (debounced), suggestions, keyboard navigation.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var datalist = document.getElementById("search-suggestions");
  var timer = null;
  var sequence = 0;

  function params(extra) {
    var data = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") { data.append(key, value); }
    });
    Object.keys(extra || {}).forEach(function (key) { data.set(key, extra[key]); });
    return data;
  }

  function segments(parent, parts) {
    parts.forEach(function (part) {
      var node = part.hit ? document.createElement("mark") : document.createTextNode(part.text);
      if (part.hit) { node.textContent = part.text; }
      parent.appendChild(node);
    });
  }

  function validityBadge(validTo) {
    var badge = document.createElement("span");
    badge.className = "badge validity-valid";
    if (!validTo) { badge.textContent = list.dataset.valid; return badge; }
    var days = (Date.parse(validTo) - Date.parse(list.dataset.today)) / 86400000;
    if (days <= 14) { badge.className = "badge warn"; }
    badge.textContent = list.dataset.validTo + " " + validTo;
    return badge;
  }

  function render(body, query) {
    list.textContent = "";
    body.hits.forEach(function (hit, index) {
      var item = document.createElement("li");
      item.className = "result" + (index === 0 ? " selected" : "");
      item.dataset.id = hit.article_id;
      var link = document.createElement("a");
      link.className = "result-title";
      link.href = list.dataset.open + "?" + new URLSearchParams({article: hit.article_id, q: query});
      segments(link, hit.title_segments);
      item.appendChild(link);
      // The best match is marked; the others are just in order (their confidence is a
      // runner-up's, not comparable with the first's: no percentages).
      if (hit.best_match) {
        var best = document.createElement("span");
        best.className = "badge best-match";
        best.textContent = list.dataset.bestMatch;
        item.appendChild(best);
      }
      var crumbs = document.createElement("div");
      crumbs.className = "crumbs muted";
      crumbs.textContent = hit.module_path + " · " + hit.code + " ";
      crumbs.appendChild(validityBadge(hit.valid_to));
      crumbs.appendChild(document.createTextNode(" · "));
      var flag = document.createElement("a");
      flag.className = "flag-link";
      flag.href = "/kb/articles/" + hit.article_id + "#flag";
      flag.textContent = list.dataset.flag;
      crumbs.appendChild(flag);
      item.appendChild(crumbs);
      var snippet = document.createElement("p");
      snippet.className = "snippet";
      segments(snippet, hit.snippet_segments);
      item.appendChild(snippet);
      list.appendChild(item);
    });
    var empty = document.getElementById("search-empty");
    if (empty) { empty.hidden = body.hits.length > 0; }
    status.hidden = body.confident || !query;
    showOutOfForce(body.out_of_force);
    showCorrections(body.corrections || []);
  }

  // Homophone typos read as the knowledge base's words (款带 → 宽带): say what was searched.
  function showCorrections(corrections) {
    var notice = document.getElementById("search-corrected");
    if (!notice) { return; }
    notice.hidden = !corrections.length;
    if (!corrections.length) { return; }
    var words = corrections.map(function (c) { return c.word; }).join("、");
    var typed = corrections.map(function (c) { return c.typed; }).join("、");
    notice.querySelector("span").textContent =
      notice.dataset.template.replace("{words}", words).replace("{typed}", typed);
    notice.querySelector("a").href = "/kb/search?" + params({q: input.value.trim(), as_typed: 1});
  }

  // No good valid match, but an offer out of force answers best: say so (ended / not yet).
  function showOutOfForce(gone) {
    var notice = document.getElementById("search-out-of-force");
    if (!notice) { return; }
    notice.hidden = !gone;
    if (!gone) { return; }
    var template = gone.ended ? notice.dataset.ended : notice.dataset.notYet;
    notice.textContent = template.replace("{title}", gone.title).replace("{code}", gone.code)
      .replace("{day}", (gone.ended ? gone.valid_to : gone.valid_from) || "");
  }

  function refresh() {
    var query = input.value.trim();
    if (!query) {
      list.textContent = ""; status.hidden = true; showOutOfForce(null); showCorrections([]);
      return;
    }
    var mine = ++sequence;
    fetch(form.dataset.api + "?" + params({q: query, limit: 10}), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && mine === sequence) { render(body, query); } });
    fetch(form.dataset.suggest + "?" + new URLSearchParams({q: query}), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) {
        datalist.textContent = "";
        items.forEach(function (text) {
          var option = document.createElement("option");
          option.value = text;
          datalist.appendChild(option);
        });
      });
  }

  function move(step) {
    var items = Array.prototype.slice.call(list.querySelectorAll("li.result"));
    if (!items.length) { return; }
    var current = items.findIndex(function (li) { return li.classList.contains("selected"); });
    var next = Math.max(0, Math.min(items.length - 1, current + step));
    items.forEach(function (li) { li.classList.remove("selected"); });
    items[next].classList.add("selected");
    items[next].scrollIntoView({block: "nearest"});
  }

  input.addEventListener("input", function () {
    // "Search as typed" was for the query it was asked with: a new query is read as usual.
    var asTyped = document.getElementById("search-as-typed");
    if (asTyped) { asTyped.remove(); }
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", refresh);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
    if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
    if (event.key === "Enter") {
      var selected = list.querySelector("li.result.selected a");
      if (selected && input.value.trim()) {
        event.preventDefault();
        window.location.href = selected.href;
      }
    }
  });
})();

// A link to '#flag' opens the "report a problem" form of the article.
(function () {
  "use strict";
  if (window.location.hash !== "#flag") { return; }
  var details = document.getElementById("flag");
  if (details) { details.open = true; details.scrollIntoView({block: "center"}); }
})();
