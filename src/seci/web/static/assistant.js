// The smart assistant's pages: the customer chat (/chat), the agents' inbox lists and the
// conversation workspace. They talk to /api/v1/assistant and follow a conversation's
// server-sent events; the database is the record, so every message is drawn once, by seq.
(function () {
  "use strict";

  var STATE_KINDS = ["handoff", "accepted", "transferred", "closed", "callback"];
  var RETRY_DELAYS = [1000, 2000, 4000, 8000];

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] !== undefined ? String(values[key]) : all;
    });
  }

  // A random idempotency key. crypto.randomUUID needs a secure context (https or
  // localhost); an intranet page served over http has only getRandomValues.
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // fetch → {ok, status, data}; the body of an error is a problem document.
  function exchange(url, options) {
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, status: response.status, data: data};
      });
    });
  }

  // Retry while the network fails or the server answers 5xx; a send carries its
  // idempotency key, so a retry that reached the server before is not stored twice.
  function withRetry(attempt, onRetry) {
    function run(index) {
      return attempt().then(function (result) {
        if (result.status < 500 || index >= RETRY_DELAYS.length) { return result; }
        onRetry();
        return sleep(RETRY_DELAYS[index]).then(function () { return run(index + 1); });
      }, function (error) {
        if (index >= RETRY_DELAYS.length) { throw error; }
        onRetry();
        return sleep(RETRY_DELAYS[index]).then(function () { return run(index + 1); });
      });
    }
    return run(0);
  }

  function problemText(result, fallback) {
    var data = result.data || {};
    var detail = data.detail || fallback;
    if (Array.isArray(data.errors) && data.errors.length) {
      detail += " " + data.errors.map(function (e) {
        return (e.label ? e.label + ": " : "") + (e.message || "");
      }).join(" ");
    }
    return detail;
  }

  // --- a transcript: messages in seq order, each drawn once ----------------------------

  function Transcript(list, strings, options) {
    this.list = list;
    this.strings = strings;
    this.options = options;
    this.seen = {};
    this.last = 0;
  }

  Transcript.prototype.clear = function () {
    this.list.textContent = "";
    this.seen = {};
    this.last = 0;
  };

  Transcript.prototype.speaker = function (message) {
    var s = this.strings;
    if (message.internal) { return s.internal; }
    if (message.role === "customer") { return this.options.staff ? s.customer : s.you; }
    if (message.role === "bot") { return s.assistant; }
    if (message.role === "agent") { return s.agent; }
    return s.system;
  };

  // Returns true when the message is new (not drawn before).
  Transcript.prototype.add = function (message) {
    if (this.seen[message.seq]) { return false; }
    this.seen[message.seq] = true;
    this.last = Math.max(this.last, message.seq);
    var item = this.draw(message);
    var after = null;
    Array.prototype.some.call(this.list.children, function (child) {
      if (Number(child.dataset.seq) > message.seq) { after = child; return true; }
      return false;
    });
    this.list.insertBefore(item, after);
    this.refreshChoices();
    if (this.options.scroll !== false) { item.scrollIntoView({block: "nearest"}); }
    return true;
  };

  Transcript.prototype.draw = function (message) {
    var item = element("li", "msg from-" + message.role + " kind-" + message.kind +
                       (message.internal ? " internal" : ""));
    item.dataset.seq = message.seq;
    item.dataset.kind = message.kind;
    item.appendChild(element("span", "msg-who", this.speaker(message)));
    if (message.kind === "choices") {
      this.drawChoices(item, message);
    } else if (message.html) {
      var body = element("div", "msg-body markdown");
      body.innerHTML = message.html;  // sanitised by the server (nh3)
      item.appendChild(body);
    } else {
      item.appendChild(element("div", "msg-body", message.text));
    }
    if (message.kind === "answer") {
      this.drawMore(item, message);
      this.drawFeedback(item, message);
    }
    return item;
  };

  // An answer that is a passage (or the customer answer) of a longer article: the
  // customer may read the rest of its customer text (查看完整内容) in place.
  Transcript.prototype.drawMore = function (item, message) {
    if (!message.data.more || !message.data.article_id || !this.options.onMore) { return; }
    var box = element("div", "msg-more");
    var button = element("button", "small secondary", this.strings.more);
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      button.disabled = true;
      this.options.onMore(message.data.article_id).then(function (article) {
        button.disabled = false;
        if (!article) { return; }
        var body = element("div", "msg-more-body markdown");
        body.innerHTML = article.html;  // sanitised by the server (nh3)
        box.replaceChild(body, button);
      });
    }.bind(this));
    box.appendChild(button);
    item.appendChild(box);
  };

  Transcript.prototype.drawChoices = function (item, message) {
    var lines = message.text.split("\n");
    item.appendChild(element("div", "msg-body", lines[0]));
    var list = element("ol", "choices");
    (message.data.choices || []).forEach(function (choice) {
      var entry = element("li");
      if (this.options.onChoice) {
        var button = element("button", "secondary choice", choice.number + ". " + choice.title);
        button.type = "button";
        button.addEventListener("click", function () { this.options.onChoice(choice.number); }
          .bind(this));
        entry.appendChild(button);
      } else {
        entry.textContent = choice.number + ". " + choice.title;
      }
      list.appendChild(entry);
    }, this);
    item.appendChild(list);
  };

  Transcript.prototype.drawFeedback = function (item, message) {
    var s = this.strings;
    var box = element("div", "feedback");
    item.appendChild(box);
    if (message.helpful !== null || !this.options.onFeedback) {
      if (message.helpful !== null) {
        box.textContent = this.options.staff ? (message.helpful ? s.helpful : s.notHelpful)
          : s.feedbackDone;
      }
      return;
    }
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", s.feedbackAsk);
    [[true, s.helpful], [false, s.notHelpful]].forEach(function (pair) {
      var button = element("button", "small secondary", pair[1]);
      button.type = "button";
      button.addEventListener("click", function () {
        this.options.onFeedback(message.seq, pair[0]);
      }.bind(this));
      box.appendChild(button);
    }, this);
  };

  Transcript.prototype.markFeedback = function (seq) {
    var item = this.list.querySelector('li[data-seq="' + seq + '"] .feedback');
    if (item && !this.options.staff) { item.textContent = this.strings.feedbackDone; }
  };

  // Only the latest message's choices can be picked: the assistant reads a number as a
  // choice only right after it offered them.
  Transcript.prototype.refreshChoices = function () {
    var last = this.list.lastElementChild;
    this.list.querySelectorAll("button.choice").forEach(function (button) {
      button.disabled = !last || !last.contains(button) || !!this.locked;
    }, this);
  };

  Transcript.prototype.has = function (kind) {
    return !!this.list.querySelector('li[data-kind="' + kind + '"]');
  };

  // --- an event stream that reconnects and resumes after the last seq -----------------

  function Follow(urlFor, handlers) {
    this.urlFor = urlFor;
    this.handlers = handlers;
    this.source = null;
    this.failures = 0;
    this.timer = null;
  }

  Follow.prototype.open = function () {
    this.stop();
    var source = new EventSource(this.urlFor());
    var self = this;
    this.source = source;
    source.onopen = function () { self.failures = 0; self.handlers.status(""); };
    source.onmessage = function (event) {
      self.handlers.message(JSON.parse(event.data));
    };
    source.addEventListener("end", function () {
      self.stop();
      self.handlers.end();
    });
    source.onerror = function () {
      // CONNECTING: the browser reconnects by itself and sends Last-Event-ID. CLOSED: it
      // gave up (an HTTP error); open a new stream after the last seq drawn.
      if (source.readyState !== EventSource.CLOSED || self.source !== source) { return; }
      self.source = null;
      self.handlers.status(self.handlers.reconnecting);
      self.failures += 1;
      var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(self.failures, 5)));
      self.timer = setTimeout(function () { self.handlers.lost(); }, delay);
    };
  };

  Follow.prototype.stop = function () {
    clearTimeout(this.timer);
    if (this.source) { this.source.close(); }
    this.source = null;
  };

  Follow.prototype.running = function () { return this.source !== null; };

  // --- the customer chat ------------------------------------------------------------------

  function setupChat() {
    var root = document.getElementById("chat");
    if (!root) { return; }
    var T = JSON.parse(document.getElementById("chat-strings").textContent);
    var API = root.dataset.api + "/conversations";
    var LOCALE = root.dataset.locale;
    var STORE = "seci.chat." + root.dataset.channel;
    var ui = {};
    ["log", "waiting", "position", "open", "hours", "callback", "callback-open",
     "sheet-backdrop", "rating", "error", "status", "compose", "input", "send", "human", "end",
     "new"].forEach(function (name) {
      ui[name] = document.getElementById("chat-" + name);
    });
    ui.callbackOpen = ui["callback-open"];
    ui.backdrop = ui["sheet-backdrop"];
    ui.callbackCancel = document.getElementById("callback-cancel");
    ui.phone = document.getElementById("callback-phone");
    ui.note = document.getElementById("callback-note");
    ui.callbackError = document.getElementById("callback-error");
    var state = {id: null, token: null, conversation: null, draftKey: null, draftText: null,
                 poll: null, busy: false};
    var transcript = new Transcript(ui.log, T, {
      staff: false, onFeedback: sendFeedback, onChoice: sendChoice, onMore: readMore});
    var follow = new Follow(streamUrl, {
      message: receive, end: refresh, status: setStatus, reconnecting: T.reconnecting,
      lost: function () { refresh().then(reopen); }});

    function remember() {
      try {
        window.sessionStorage.setItem(STORE, JSON.stringify({id: state.id, token: state.token}));
      } catch (e) { /* storage blocked (e.g. a third-party frame): a reload starts anew */ }
    }

    function recall() {
      try {
        var saved = JSON.parse(window.sessionStorage.getItem(STORE) || "null");
        return saved && saved.id && saved.token ? saved : null;
      } catch (e) { return null; }
    }

    function forget() {
      try { window.sessionStorage.removeItem(STORE); } catch (e) { /* see remember */ }
    }

    function call(method, path, body) {
      var headers = {"Accept": "application/json"};
      if (state.token) { headers["X-Conversation-Token"] = state.token; }
      if (body !== undefined) { headers["Content-Type"] = "application/json"; }
      return exchange(API + path + "?lang=" + encodeURIComponent(LOCALE), {
        method: method, headers: headers, credentials: "omit",
        body: body === undefined ? undefined : JSON.stringify(body)});
    }

    function streamUrl() {
      return API + "/" + state.id + "/events?" + new URLSearchParams({
        token: state.token, after: String(transcript.last), lang: LOCALE});
    }

    function setStatus(text) { ui.status.textContent = text; }

    function showError(text) { ui.error.textContent = text || ""; }

    // A problem answer: expired tokens start over, the rest is shown as the server said.
    function failed(result) {
      if (result.status === 401) {
        forget();
        follow.stop();
        state.conversation = null;
        showError(problemText(result, T.failed));
        applyState({status: "closed", satisfaction: 0, waiting: null});
        return;
      }
      showError(problemText(result, T.failed));
    }

    function receive(message) {
      if (!transcript.add(message)) { return; }
      if (message.kind === "feedback" && message.data.answer_seq) {
        transcript.markFeedback(message.data.answer_seq);
      }
      if (STATE_KINDS.indexOf(message.kind) >= 0) { refresh(); }
    }

    function hoursText(waiting) {
      if (!waiting.hours.length) { return T.allDay; }
      return format(T.hours, {hours: waiting.hours.map(function (h) {
        return T.weekdays[h.weekday] + " " + h.opens + "–" + h.closes;
      }).join("，")});
    }

    // The newest message stays in view when the bars below the log change height.
    function showNewest() {
      ui.log.scrollTop = ui.log.scrollHeight;
    }

    // Waiting is one compact bar (no internal queue code: the hand-off message names the
    // queue in customer words); the hours fold out on request.
    function showWaiting(waiting) {
      var was = !ui.waiting.hidden;
      ui.waiting.hidden = !waiting;
      if (waiting) {
        ui.position.textContent = waiting.position ? "· " + format(T.position,
          {position: waiting.position}) : "";
        ui.open.textContent = waiting.open ? T.openNow
          : format(T.closedNow, {opens: waiting.opens_at || ""});
        ui.hours.textContent = hoursText(waiting);
      }
      if (was !== !!waiting) { showNewest(); }
    }

    // The call-back form: a sheet over the chat, opened by the customer, closed by
    // Cancel, Escape or a tap beside it.
    function openSheet() {
      ui.callback.hidden = ui.backdrop.hidden = false;
      ui.callbackOpen.setAttribute("aria-expanded", "true");
      ui.phone.focus();
    }

    function closeSheet(refocus) {
      if (ui.callback.hidden) { return; }
      ui.callback.hidden = ui.backdrop.hidden = true;
      ui.callbackOpen.setAttribute("aria-expanded", "false");
      if (refocus && !ui.callbackOpen.hidden) { ui.callbackOpen.focus(); }
    }

    function applyState(conversation) {
      var status = conversation.status;
      var waiting = status === "waiting" ? conversation.waiting : null;
      showWaiting(waiting);
      ui.callbackOpen.hidden = !(waiting && waiting.callback_offered);
      if (ui.callbackOpen.hidden) { closeSheet(false); }
      ui.human.hidden = status !== "bot";
      ui.end.hidden = status !== "bot" && status !== "waiting";
      ui.new.hidden = status !== "closed";
      ui.input.disabled = ui.send.disabled = status === "closed";
      ui.compose.hidden = status === "closed";
      ui.rating.hidden = !(status === "closed" && conversation.satisfaction === null &&
                           transcript.has("closed"));
      transcript.locked = status !== "bot";
      transcript.refreshChoices();
      clearInterval(state.poll);
      // The place in line changes as others are served: look again now and then.
      state.poll = status === "waiting" ? setInterval(refresh, 10000) : null;
    }

    function apply(conversation) {
      state.conversation = conversation;
      applyState(conversation);
    }

    function refresh() {
      if (!state.id) { return Promise.resolve(); }
      return call("GET", "/" + state.id).then(function (result) {
        if (result.ok) { apply(result.data); } else if (result.status === 401) { failed(result); }
      }, function () { /* offline: the stream's reconnect tries again */ });
    }

    function reopen() {
      if (state.conversation && state.conversation.status !== "closed") { follow.open(); }
    }

    function start() {
      follow.stop();
      forget();
      transcript.clear();
      showError("");
      state.id = state.token = null;
      return withRetry(function () {
        return call("POST", "", {channel: root.dataset.channel, locale: LOCALE});
      }, function () { setStatus(T.retrying); }).then(function (result) {
        setStatus("");
        if (!result.ok) { failed(result); return; }
        state.id = result.data.conversation.id;
        state.token = result.data.token;
        remember();
        result.data.messages.forEach(receive);
        apply(result.data.conversation);
        follow.open();
      }, function () {
        // No server: offer 开始新对话 to try again.
        setStatus("");
        showError(T.notSent);
        applyState({status: "closed", satisfaction: 0, waiting: null});
      });
    }

    function resume(saved) {
      state.id = saved.id;
      state.token = saved.token;
      return call("GET", "/" + state.id).then(function (result) {
        if (result.status === 401) { return start(); }
        if (!result.ok) { failed(result); return; }
        apply(result.data);
        // The stream replays the whole conversation (after seq 0), then follows it.
        follow.open();
      }, function () { showError(T.notSent); });
    }

    function setBusy(busy) {
      state.busy = busy;
      ui.send.disabled = busy || ui.input.disabled;
      ui.log.setAttribute("aria-busy", String(busy));
    }

    function sendTurn(body) {
      if (state.busy || !state.id) { return Promise.resolve(false); }
      setBusy(true);
      setStatus(T.sending);
      return withRetry(function () { return call("POST", "/" + state.id + "/messages", body); },
                       function () { setStatus(T.retrying); })
        .then(function (result) {
          if (!result.ok) { failed(result); return false; }
          showError("");
          receive(result.data.message);
          result.data.replies.forEach(receive);
          apply(result.data.conversation);
          if (!follow.running()) { reopen(); }
          return true;
        }, function () { showError(T.notSent); return false; })
        .then(function (sent) { setBusy(false); setStatus(""); return sent; });
    }

    function sendText() {
      var text = ui.input.value;
      // The same draft keeps its key: pressing Send again after a failure cannot store
      // the message twice.
      if (state.draftText !== text || !state.draftKey) {
        state.draftText = text;
        state.draftKey = newKey();
      }
      sendTurn({text: text, client_key: state.draftKey}).then(function (sent) {
        if (!sent) { return; }
        state.draftKey = state.draftText = null;
        if (ui.input.value === text) { ui.input.value = ""; }
        ui.input.focus();
      });
    }

    function sendChoice(number) {
      sendTurn({text: "", choice: number, client_key: newKey()});
    }

    function sendFeedback(seq, helpful) {
      call("POST", "/" + state.id + "/feedback", {seq: seq, helpful: helpful})
        .then(function (result) {
          if (!result.ok) {
            if (result.status === 409) { transcript.markFeedback(seq); }
            failed(result);
            return;
          }
          showError("");
          transcript.markFeedback(seq);
          result.data.forEach(receive);
        }, function () { showError(T.notSent); });
    }

    // The full customer text of an article this conversation was answered with.
    function readMore(articleId) {
      return call("GET", "/" + state.id + "/articles/" + articleId).then(function (result) {
        if (!result.ok) { failed(result); return null; }
        showError("");
        return result.data;
      }, function () { showError(T.notSent); return null; });
    }

    function post(path, body) {
      return call("POST", "/" + state.id + path, body).then(function (result) {
        if (!result.ok) { failed(result); return null; }
        showError("");
        return result.data;
      }, function () { showError(T.notSent); return null; });
    }

    ui.compose.addEventListener("submit", function (event) {
      event.preventDefault();
      sendText();
    });
    ui.input.addEventListener("keydown", function (event) {
      // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition
      // (pinyin input) only confirms the characters.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendText();
      }
    });
    ui.human.addEventListener("click", function () {
      post("/handoff").then(function (messages) {
        if (messages) { messages.forEach(receive); refresh(); }
      });
    });
    ui.end.addEventListener("click", function () {
      post("/end").then(function (message) {
        if (message) { receive(message); refresh(); }
      });
    });
    ui.new.addEventListener("click", function () { start(); });
    ui.callback.addEventListener("submit", function (event) {
      event.preventDefault();
      call("POST", "/" + state.id + "/callback", {phone: ui.phone.value, note: ui.note.value})
        .then(function (result) {
          if (!result.ok) {
            ui.callbackError.textContent = problemText(result, T.failed);
            ui.phone.setAttribute("aria-invalid", "true");
            ui.phone.focus();
            return;
          }
          ui.callbackError.textContent = "";
          ui.phone.removeAttribute("aria-invalid");
          closeSheet(false);
          setStatus(T.callbackDone);
          refresh();
        }, function () { ui.callbackError.textContent = T.notSent; });
    });
    ui.callbackOpen.addEventListener("click", openSheet);
    ui.callbackCancel.addEventListener("click", function () { closeSheet(true); });
    ui.backdrop.addEventListener("click", function () { closeSheet(true); });
    ui.callback.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeSheet(true); }
    });
    ui.rating.addEventListener("submit", function (event) {
      event.preventDefault();
      var score = Number(event.submitter && event.submitter.value);
      post("/rating", {score: score}).then(function (conversation) {
        if (!conversation) { return; }
        apply(conversation);
        setStatus(T.rated);
      });
    });
    window.addEventListener("online", function () { if (!follow.running()) { reopen(); } });

    var saved = recall();
    if (saved) { resume(saved); } else { start(); }
  }

  // --- the agents' inbox lists ----------------------------------------------------------

  function clock(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor(seconds / 60) % 60;
    var s = seconds % 60;
    var mm = h ? ("0" + m).slice(-2) : String(m);
    return (h ? h + ":" : "") + mm + ":" + ("0" + s).slice(-2);
  }

  function setupInbox() {
    var lists = document.getElementById("inbox-lists");
    if (!lists) { return; }
    var loadedAt = Date.now();
    var shown = lists.innerHTML.replace(/data-wait="\d+"/g, "");

    function tick() {
      var elapsed = Math.floor((Date.now() - loadedAt) / 1000);
      lists.querySelectorAll("[data-wait]").forEach(function (cell) {
        cell.textContent = clock(Number(cell.dataset.wait) + elapsed);
      });
    }

    function reload() {
      fetch(lists.dataset.refresh, {credentials: "same-origin"}).then(function (response) {
        if (response.redirected) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      }).then(function (html) {
        // Replace the lists only when they changed, so focus and reading stay put.
        if (html === null || html === undefined) { return; }
        var comparable = html.replace(/data-wait="\d+"/g, "");
        if (comparable === shown) { return; }
        shown = comparable;
        lists.innerHTML = html;
        loadedAt = Date.now();
        tick();
      }, function () { /* offline: try again at the next turn */ });
    }

    tick();
    setInterval(tick, 1000);
    // Polling also tells customers an agent is at their desk.
    setInterval(reload, 5000);
  }

  // --- the agent's conversation workspace -----------------------------------------------

  function setupWorkspace() {
    var root = document.getElementById("workspace");
    if (!root) { return; }
    var T = JSON.parse(document.getElementById("workspace-strings").textContent);
    var API = root.dataset.api;
    var errorBox = document.getElementById("ws-error");
    var streamStatus = document.getElementById("ws-stream-status");
    var assistList = document.getElementById("assist-list");
    var transcript = new Transcript(document.getElementById("transcript"), T, {staff: true});
    var assistTimer = null;
    var assistTurn = 0;
    var follow = new Follow(function () {
      return API + "/events?after=" + transcript.last;
    }, {
      message: receive, end: function () {}, reconnecting: T.reconnecting,
      status: function (text) { streamStatus.textContent = text; },
      lost: function () { follow.open(); }});

    function send(method, path, body) {
      return exchange(API + path, {
        method: method, credentials: "same-origin",
        headers: {"Accept": "application/json", "Content-Type": "application/json",
                  "X-CSRF-Token": root.dataset.csrf},
        body: body === undefined ? undefined : JSON.stringify(body)});
    }

    function showError(text) { errorBox.textContent = text || ""; }

    function act(path, body) {
      return send("POST", path, body).then(function (result) {
        if (!result.ok) { showError(problemText(result, T.failed)); return null; }
        showError("");
        return result.data;
      }, function () { showError(T.notSent); return null; });
    }

    // Someone else accepted, transferred or closed it (or the customer left): say so and
    // offer a reload, rather than pulling the page away under the agent's hands.
    function checkState() {
      exchange(API, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (result) {
          if (!result.ok) { return; }
          var agent = result.data.agent_id === null ? "" : String(result.data.agent_id);
          var changed = result.data.status !== root.dataset.status ||
            agent !== root.dataset.agent;
          document.getElementById("ws-changed").hidden = !changed;
        }, function () {});
    }

    // The customer's questions, for "the inserted answer replies to" (what it teaches the
    // assistant), and whether an article was sent already.
    var teaches = {row: document.getElementById("ws-teaches"),
                   select: document.getElementById("ws-answers"),
                   questions: [], articleSent: false};

    function receive(message) {
      if (!transcript.add(message)) { return; }
      if (message.role === "customer" && message.kind === "text") {
        teaches.questions.push({seq: message.seq, text: message.text});
      }
      if (message.role === "agent" && message.kind === "article") { teaches.articleSent = true; }
      if (message.role === "customer") { scheduleAssist(); }
      if (STATE_KINDS.indexOf(message.kind) >= 0) { checkState(); }
    }

    function drawSuggestion(hit) {
      var item = element("li");
      var link = element("a", null, hit.title);
      link.href = "/kb/articles/" + hit.article_id;
      link.target = "_blank";
      link.rel = "noopener";
      item.appendChild(link);
      item.appendChild(element("span", "code muted", " " + hit.code + " "));
      // The best match is marked; the rest are in order (no percentages: a runner-up's
      // confidence is not comparable with the first's).
      if (hit.best_match) {
        item.appendChild(element("span", "badge best-match", T.bestMatch));
        item.appendChild(document.createTextNode(" "));
      }
      if (hit.audience === "customer") {
        if (document.getElementById("ws-reply")) {
          var button = element("button", "small secondary", T.insert);
          button.type = "button";
          button.dataset.insert = hit.article_id;
          item.appendChild(button);
        }
      } else {
        item.appendChild(element("span", "badge audience-internal", T.internalOnly));
      }
      item.appendChild(element("p", "snippet", hit.snippet));
      return item;
    }

    function loadAssist() {
      var turn = ++assistTurn;
      exchange(API + "/assist", {credentials: "same-origin",
                                 headers: {"Accept": "application/json"}})
        .then(function (result) {
          if (!result.ok || turn !== assistTurn) { return; }
          assistList.textContent = "";
          if (!result.data.length) {
            assistList.appendChild(element("li", "muted", T.noSuggestions));
          }
          result.data.forEach(function (hit) { assistList.appendChild(drawSuggestion(hit)); });
        }, function () {});
    }

    function scheduleAssist() {
      clearTimeout(assistTimer);
      assistTimer = setTimeout(loadAssist, 300);
    }

    // 插入答案 puts the article's answer into the reply box, to be edited and sent; the
    // sent message then records the article.
    var composer = {input: document.getElementById("ws-input"), articleId: null};

    // Preselected: the question the article answers best (``repliesTo``, from the server's
    // searches of each question); else the question the customer was handed over with,
    // until an article was sent; else their latest. The agent may pick another, or none.
    function showTeaches(repliesTo) {
      // Until the transcript has arrived there is nothing to choose from: the server's
      // default (the handed-over question) applies.
      if (!teaches.select || !teaches.questions.length) { return; }
      var select = teaches.select;
      var handedOver = Number(root.dataset.handedOver) || null;
      var latest = teaches.questions.length ?
        teaches.questions[teaches.questions.length - 1].seq : null;
      var chosen = repliesTo || (!teaches.articleSent && handedOver ? handedOver : latest);
      select.textContent = "";
      teaches.questions.slice().reverse().forEach(function (question) {
        var label = question.text.length > 40 ? question.text.slice(0, 40) + "…" : question.text;
        if (question.seq === handedOver) { label += " " + T.handedOverWith; }
        var option = element("option", null, label);
        option.value = String(question.seq);
        option.selected = question.seq === chosen;
        select.appendChild(option);
      });
      var none = element("option", null, T.answersNothing);
      none.value = "none";
      none.selected = chosen === null;
      select.appendChild(none);
      teaches.row.hidden = false;
    }

    function forgetArticle() {
      composer.articleId = null;
      if (teaches.row) { teaches.row.hidden = true; }
    }

    function insertAnswer(button) {
      if (!composer.input) { return; }
      button.disabled = true;
      exchange(API + "/articles/" + button.dataset.insert + "/answer",
               {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (result) {
          button.disabled = false;
          if (!result.ok) { showError(problemText(result, T.failed)); return; }
          showError("");
          var input = composer.input;
          input.value = input.value.trim() ? input.value.replace(/\s+$/, "") + "\n\n" +
            result.data.text : result.data.text;
          composer.articleId = result.data.article_id;
          showTeaches(result.data.replies_to);
          streamStatus.textContent = T.inserted;
          input.focus();
          input.setSelectionRange(input.value.length, input.value.length);
        }, function () { button.disabled = false; showError(T.notSent); });
    }

    document.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-insert]");
      if (button) { insertAnswer(button); }
    });

    var accept = document.getElementById("ws-accept");
    if (accept) {
      accept.addEventListener("click", function () {
        accept.disabled = true;
        act("/accept").then(function (data) {
          if (data) { window.location.reload(); } else { accept.disabled = false; }
        });
      });
    }

    var reply = document.getElementById("ws-reply");
    if (reply) {
      var input = document.getElementById("ws-input");
      var draft = {text: null, key: null};
      var sendReply = function () {
        var text = input.value;
        if (draft.text !== text || !draft.key) { draft = {text: text, key: newKey()}; }
        var body = {text: text, client_key: draft.key};
        if (composer.articleId !== null) {
          body.article_id = composer.articleId;
          var choice = teaches.row && !teaches.row.hidden ? teaches.select.value : "";
          if (choice === "none") { body.learn = false; }
          else if (choice) { body.answers = Number(choice); }
        }
        withRetry(function () {
          return send("POST", "/messages", body);
        }, function () { streamStatus.textContent = T.reconnecting; }).then(function (result) {
          streamStatus.textContent = "";
          if (!result.ok) { showError(problemText(result, T.failed)); return; }
          showError("");
          receive(result.data);
          draft = {text: null, key: null};
          if (input.value === text) {
            input.value = "";
            forgetArticle();
          }
        }, function () { showError(T.notSent); });
      };
      // A reply box emptied by hand no longer holds the inserted answer.
      input.addEventListener("input", function () {
        if (!input.value.trim()) { forgetArticle(); }
      });
      reply.addEventListener("submit", function (event) { event.preventDefault(); sendReply(); });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          sendReply();
        }
      });
    }

    var transfer = document.getElementById("ws-transfer");
    if (transfer) {
      transfer.addEventListener("submit", function (event) {
        event.preventDefault();
        var form = new FormData(transfer);
        act("/transfer", {queue: form.get("queue"), note: form.get("note")})
          .then(function (data) {
            if (data) { window.location.assign("/assistant/inbox?flash=transferred"); }
          });
      });
    }

    var closing = document.getElementById("ws-close");
    if (closing) {
      closing.addEventListener("submit", function (event) {
        event.preventDefault();
        var form = new FormData(closing);
        act("/close", {resolved: form.get("resolved") === "true",
                       category: String(form.get("category") || ""),
                       first_contact_resolved: form.get("first_contact_resolved") === "on"})
          .then(function (data) { if (data) { window.location.reload(); } });
      });
    }

    follow.open();
    loadAssist();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupChat();
    setupInbox();
    setupWorkspace();
  });
})();
