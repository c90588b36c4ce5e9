// Quality inspection: the running total of a scorecard form and keyboard moves.
// Progressive only: the forms work without it and the server computes the score.
(function () {
  "use strict";

  function setupScoreForm(form) {
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-max]"));
    var fails = Array.prototype.slice.call(form.querySelectorAll("input[data-critical]"));
    var output = form.querySelector("#qa-total");
    var verdict = form.querySelector("#qa-verdict");
    var passMark = parseFloat(form.dataset.passMark || "0");
    if (!inputs.length || !output) { return; }

    // total = 100 · Σ points ÷ Σ max, 0 when a critical item failed (as the server does)
    function refresh() {
      var given = 0, possible = 0, complete = true;
      inputs.forEach(function (input) {
        var max = parseInt(input.dataset.max, 10);
        var value = parseInt(input.value, 10);
        possible += max;
        if (isNaN(value) || value < 0 || value > max) { complete = false; } else { given += value; }
      });
      var critical = fails.some(function (box) { return box.checked; });
      output.classList.remove("is-pass", "is-fail");
      verdict.className = "badge";
      if (!complete || possible === 0) { output.textContent = "—"; verdict.textContent = ""; return; }
      var total = critical ? 0 : 100 * given / possible;
      var passed = !critical && total >= passMark;
      output.textContent = total.toFixed(1);
      output.classList.add(passed ? "is-pass" : "is-fail");
      verdict.classList.add(passed ? "qa-pass" : "qa-fail");
      verdict.textContent = critical ? output.dataset.labelCritical
        : (passed ? output.dataset.labelPass : output.dataset.labelFail);
    }

    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);

    form.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      var target = event.target;
      if ((event.ctrlKey || event.metaKey)) {
        // Ctrl+Enter: save (and go on to the next call where the form offers it)
        var primary = form.querySelector("button[name=then][value=next]");
        if (!primary) { return; }
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(primary); } else { primary.click(); }
        return;
      }
      // Enter in a points field moves on to the next item instead of submitting half a score
      var index = inputs.indexOf(target);
      if (index >= 0) {
        event.preventDefault();
        var next = inputs[index + 1] || form.querySelector("textarea");
        if (next) { next.focus(); if (next.select) { next.select(); } }
      }
    });

    // Focusing a points field selects it, so typing replaces the value.
    inputs.forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.qa-score-form").forEach(setupScoreForm);
  });
})();
