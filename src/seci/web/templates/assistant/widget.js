/* SECI chat widget: <script src="https://seci-host/assistant/widget.js" data-channel="web" async></script>
   Adds a floating "在线客服" button; it opens the customer chat of the SECI server that served
   this script in a frame. Options (data-*): channel (web, app, wechat), lang (zh_CN, en). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.seciChatWidget) { return; }
  var LABELS = {{ labels | tojson }};
  var origin = new URL(script.src, window.location.href).origin;
  var lang = LABELS[script.getAttribute("data-lang")] ? script.getAttribute("data-lang") : "zh_CN";
  var channel = script.getAttribute("data-channel") || "web";
  var text = LABELS[lang];
  var button, panel, frame;

  function style(node, rules) {
    Object.keys(rules).forEach(function (key) { node.style[key] = rules[key]; });
  }

  function chatUrl() {
    return origin + "/chat?" + new URLSearchParams({embed: "1", channel: channel, lang: lang});
  }

  function build() {
    button = document.createElement("button");
    button.type = "button";
    button.className = "seci-chat-button";
    button.textContent = text.open;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "seci-chat-panel");
    style(button, {position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000",
      background: "#0b6e4f", color: "#fff", border: "0", borderRadius: "24px",
      padding: "12px 20px", fontSize: "16px", cursor: "pointer",
      boxShadow: "0 2px 8px rgba(0,0,0,.25)"});
    panel = document.createElement("div");
    panel.id = "seci-chat-panel";
    panel.hidden = true;
    style(panel, {position: "fixed", right: "20px", bottom: "76px", zIndex: "2147483000",
      width: "min(380px, calc(100vw - 40px))", height: "min(600px, calc(100vh - 100px))",
      background: "#fff", borderRadius: "8px", overflow: "hidden",
      boxShadow: "0 4px 24px rgba(0,0,0,.3)", display: "none"});
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", text.close);
    style(close, {position: "absolute", top: "6px", right: "8px", zIndex: "1", border: "0",
      background: "transparent", fontSize: "22px", cursor: "pointer", color: "#fff"});
    close.addEventListener("click", toggle);
    panel.appendChild(close);
    button.addEventListener("click", toggle);
    document.body.appendChild(panel);
    document.body.appendChild(button);
  }

  function toggle() {
    var opening = panel.hidden;
    if (opening && !frame) {
      // The chat loads on first open only: no conversation is started for every page view.
      frame = document.createElement("iframe");
      frame.src = chatUrl();
      frame.title = text.title;
      style(frame, {width: "100%", height: "100%", border: "0", display: "block"});
      panel.appendChild(frame);
    }
    panel.hidden = !opening;
    panel.style.display = opening ? "block" : "none";
    button.setAttribute("aria-expanded", String(opening));
    if (opening) { frame.focus(); }
  }

  window.seciChatWidget = {open: function () { if (panel.hidden) { toggle(); } }};
  if (document.body) { build(); } else { document.addEventListener("DOMContentLoaded", build); }
})();
