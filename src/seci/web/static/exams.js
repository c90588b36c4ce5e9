// Taking an exam: a countdown of the server's time left (the server refuses late answers
// and grades what was saved, whatever this clock says), each answer saved as soon as it is
// given, and in practice the right answer shown after each question.
(function () {
  "use strict";
  var form = document.querySelector("form.ex-take[data-answer-url]");
  if (!form) { return; }
  var status = form.querySelector(".ex-autosave");
  var clock = document.getElementById("countdown");
  var submit = document.getElementById("ex-submit");
  var token = form.querySelector("input[name=csrf_token]");
  var remaining = clock ? parseInt(clock.dataset.remaining, 10) : 0;
  var deadline = Date.now() + remaining * 1000;
  var handedIn = false;
  var unsaved = {};

  function show(seconds) {
    var s = Math.max(0, seconds);
    var text = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    if (clock) {
      clock.textContent = text;
      clock.classList.toggle("ex-hurry", s <= 60);
    }
  }

  function handIn() {
    if (handedIn) { return; }
    handedIn = true;
    if (form.requestSubmit && submit) { form.requestSubmit(submit); } else { form.submit(); }
  }

  function tick() {
    var left = Math.round((deadline - Date.now()) / 1000);
    show(left);
    if (left <= 0) { handIn(); return; }
    setTimeout(tick, 1000);
  }

  function rightText(fieldset, right) {
    if (fieldset.dataset.kind === "fill") { return right.join(" | "); }
    var words = [];
    fieldset.querySelectorAll("input").forEach(function (input) {
      if (right.indexOf(input.value) >= 0) {
        words.push(input.parentNode.querySelector("span").textContent);
      }
    });
    return words.join("、");
  }

  function feedback(fieldset, data) {
    var place = fieldset.querySelector(".ex-feedback");
    if (!place || data.correct === null || data.correct === undefined) { return; }
    place.textContent = data.correct ? form.dataset.right
      : form.dataset.wrong + " " + rightText(fieldset, data.right || []);
    fieldset.classList.toggle("ex-correct", data.correct);
    fieldset.classList.toggle("ex-incorrect", !data.correct);
  }

  function save(fieldset) {
    var position = fieldset.dataset.position;
    var data = new FormData();
    data.set("csrf_token", token ? token.value : "");
    data.set("position", position);
    fieldset.querySelectorAll("input").forEach(function (input) {
      if ((input.type === "text" && input.value.trim()) || input.checked) {
        data.append("q" + position, input.value);
      }
    });
    unsaved[position] = fieldset;
    fetch(form.dataset.answerUrl, { method: "POST", body: data, credentials: "same-origin",
                                     headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return [response.status, body]; });
      })
      .then(function (result) {
        var code = result[0], body = result[1];
        if (code === 200) {
          delete unsaved[position];
          countAnswered();
          deadline = Date.now() + body.remaining * 1000;  // the server's clock wins
          if (status) { status.textContent = form.dataset.saved + " " + new Date().toLocaleTimeString(); }
          if (form.dataset.practice) { feedback(fieldset, body); }
        } else if (code === 409) {
          window.location.reload();  // finished or out of time: show the result
        } else if (status) {
          status.textContent = body.message || form.dataset.offline;
        }
      })
      .catch(function () { if (status) { status.textContent = form.dataset.offline; } });
  }

  function countAnswered() {
    var place = document.getElementById("answered-count");
    if (!place) { return; }
    var n = 0;
    form.querySelectorAll("fieldset.ex-question").forEach(function (fieldset) {
      var given = Array.prototype.some.call(fieldset.querySelectorAll("input"), function (input) {
        return input.type === "text" ? input.value.trim() !== "" : input.checked;
      });
      if (given) { n += 1; }
    });
    place.textContent = "· " + place.dataset.template.replace("{n}", n)
      .replace("{total}", place.dataset.total);
  }

  var timers = {};
  form.querySelectorAll("fieldset.ex-question").forEach(function (fieldset) {
    var later = function (delay) {
      var key = fieldset.dataset.position;
      if (timers[key]) { clearTimeout(timers[key]); }
      timers[key] = setTimeout(function () { save(fieldset); }, delay);
    };
    fieldset.addEventListener("change", function () { later(150); });
    fieldset.addEventListener("input", function (event) {
      if (event.target.type === "text") { later(800); }
    });
  });
  // Answers that failed to save go again when the connection comes back.
  window.addEventListener("online", function () {
    Object.keys(unsaved).forEach(function (key) { save(unsaved[key]); });
  });
  form.addEventListener("submit", function () { handedIn = true; });
  show(remaining);
  setTimeout(tick, 1000);
})();
