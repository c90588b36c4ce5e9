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

  document.addEventListener("DOMContentLoaded", function () {
    setupPreview();
    setupUnsavedGuard();
    setupBackLinks();
    setupFilterForms();
  });
})();
