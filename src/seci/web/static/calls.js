// Follows a running import: polls its job every second, updates the bar, and reloads
// the page (which then shows the report) when the job has finished.
(function () {
  "use strict";
  var card = document.getElementById("job");
  if (!card || card.dataset.running !== "true") { return; }
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  function poll() {
    fetch(card.dataset.jobUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { setTimeout(poll, 3000); return; }
        if (job.status !== "queued" && job.status !== "running") { window.location.reload(); return; }
        if (bar && job.percent !== null) { bar.value = job.percent; }
        if (percent) { percent.textContent = job.percent !== null ? job.percent + "%" : ""; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
