// Competency forms save as they go: every change posts the form in the background as
// "save" (the same request the Save button sends); the page says when it was saved.
(function () {
  "use strict";
  document.querySelectorAll("form.cp-assessment[data-autosave]").forEach(function (form) {
    var status = form.querySelector(".cp-autosave");
    var pending = null;
    function save() {
      var data = new FormData(form);
      data.set("action", "save");
      // form.action would be the button named "action": read the attribute.
      fetch(form.getAttribute("action"), { method: "POST", body: data,
                                            credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          if (status && (response.ok || response.type === "opaqueredirect")) {
            status.textContent = form.dataset.autosave;
          }
        })
        .catch(function () { /* the Save button still works */ });
    }
    form.addEventListener("change", function () {
      if (pending) { clearTimeout(pending); }
      pending = setTimeout(save, 300);
    });
    form.addEventListener("submit", function () {
      if (pending) { clearTimeout(pending); }
    });
  });
})();
