// The article editor: a WYSIWYG editor (Toast UI, vendored) over the body's textarea.
// The textarea stays the form's field and holds Markdown, the format SECI stores and
// sanitises; the editor writes into it on every change (so the server's preview, which marks
// agent-only parts, and the unsaved-changes guard keep working). Without JavaScript the
// textarea is the editor. Images (pasted, dropped or chosen) and attachments are uploaded to
// /api/v1/attachments and referred to by their URL.
(function () {
  "use strict";
  var host = document.getElementById("rich-editor");
  var textarea = document.getElementById("body-input");
  var form = document.getElementById("editor");
  if (!host || !textarea || !form || !window.toastui) { return; }
  var token = form.querySelector("input[name=csrf_token]");
  var status = document.getElementById("rich-editor-status");
  var text = host.dataset;

  function say(message, isError) {
    if (!status) { return; }
    status.textContent = message || "";
    status.classList.toggle("error", Boolean(isError));
  }

  // The server's problem document says what was wrong (too large, not an accepted type) in
  // the user's language; nothing is inserted then.
  function upload(file, name) {
    var data = new FormData();
    data.append("file", file, name || file.name || "image.png");
    say(text.uploading + " " + (name || file.name || ""), false);
    return fetch(host.dataset.uploadUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRF-Token": token ? token.value : "", Accept: "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { throw new Error(body.detail || text.failed); }
        say(text.uploaded + " " + body.filename, false);
        return body;
      });
    }).catch(function (error) {
      say(error.message || text.failed, true);
      throw error;
    });
  }

  function attachmentButton(editor) {
    var picker = document.createElement("input");
    picker.type = "file";
    picker.accept = host.dataset.accept || "";
    picker.hidden = true;
    host.parentNode.appendChild(picker);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "seci-attach";
    button.setAttribute("aria-label", text.attach);
    button.title = text.attach;
    button.textContent = text.attachShort;
    button.addEventListener("click", function () { picker.click(); });
    picker.addEventListener("change", function () {
      var file = picker.files && picker.files[0];
      picker.value = "";
      if (!file) { return; }
      upload(file).then(function (saved) {
        if (saved.is_image) {
          editor().exec("addImage", { imageUrl: saved.url, altText: saved.filename });
        } else {
          editor().exec("addLink", { linkUrl: saved.url, linkText: saved.filename });
        }
        editor().focus();
      }, function () { /* said in the status line */ });
    });
    return button;
  }

  // The toolbar's heading button must not share its name with the article's title field
  // (标题): screen readers and people looking for the title field would hit both.
  window.toastui.Editor.setLanguage(["zh-CN"], { Headings: "段落格式" });
  window.toastui.Editor.setLanguage(["en-US"], { Headings: "Paragraph format" });


  // --- Pasting from Word / WPS --------------------------------------------------------
  // Office puts HTML on the clipboard in which a list is a run of paragraphs styled
  // "mso-list:l0 level1" with the bullet or number as text, and a table's cells hold
  // paragraphs. Made plain HTML (lists, header row, cells of text) before the editor reads
  // it, so that what an editor pastes from Word keeps its structure.
  var OFFICE = /urn:schemas-microsoft-com:office|class="?Mso|mso-|content="?Kingsoft|wps-/i;
  var ORDERED_MARKER = /^[\s\u00a0]*[(（]?([0-9]{1,3}|[a-zA-Z]|[ivxIVX]{1,4}|[一二三四五六七八九十]{1,3})[.)）、．]/;

  function listInfo(p) {
    var style = p.getAttribute("style") || "";
    var found = /mso-list:\s*(l\d+)\s+level(\d+)/i.exec(style);
    if (found) { return { list: found[1], level: parseInt(found[2], 10) }; }
    if (/^MsoListParagraph/i.test(p.className || "")) { return { list: "l", level: 1 }; }
    return null;
  }

  // The bullet or number Word writes as text, inside <![if !supportLists]> or a span styled
  // mso-list:Ignore: taken out (the list shows its own), but read first for ol vs ul.
  function takeMarker(p) {
    var marker = "";
    p.querySelectorAll("[style*='mso-list:Ignore'], [style*='mso-list: Ignore']")
      .forEach(function (node) { marker += node.textContent; node.remove(); });
    var walker = document.createTreeWalker(p, NodeFilter.SHOW_COMMENT);
    var opening = null, doomed = [];
    while (walker.nextNode()) {
      var comment = walker.currentNode;
      if (/\[if\s+!supportLists\]/.test(comment.data)) { opening = comment; continue; }
      if (opening && /\[endif\]/.test(comment.data)) {
        var node = opening.nextSibling;
        while (node && node !== comment) { marker += node.textContent; doomed.push(node); node = node.nextSibling; }
        opening = null;
      }
    }
    doomed.forEach(function (node) { node.remove(); });
    return marker;
  }

  // Runs of list paragraphs that follow each other directly; each becomes one list.
  function listRuns(root) {
    var runs = [], run = null, previous = null;
    root.querySelectorAll("p").forEach(function (p) {
      var info = listInfo(p);
      if (!info) { return; }
      if (!run || p.previousElementSibling !== previous) { run = []; runs.push(run); }
      run.push({ p: p, level: info.level });
      previous = p;
    });
    return runs;
  }

  function buildList(run) {
    var stack = [];  // the open lists, outermost first: {level, element, last item}
    run.forEach(function (entry) {
      var marker = takeMarker(entry.p);
      while (stack.length > 1 && stack[stack.length - 1].level > entry.level) { stack.pop(); }
      var top = stack[stack.length - 1];
      if (!top || top.level < entry.level) {
        var list = document.createElement(ORDERED_MARKER.test(marker) ? "ol" : "ul");
        if (top && top.item) { top.item.appendChild(list); }
        top = { level: entry.level, element: list, item: null };
        stack.push(top);
      }
      var item = document.createElement("li");
      while (entry.p.firstChild) { item.appendChild(entry.p.firstChild); }
      top.element.appendChild(item);
      top.item = item;
    });
    return stack[0].element;
  }

  function convertLists(root) {
    listRuns(root).forEach(function (run) {
      var first = run[0].p;
      first.parentNode.insertBefore(buildList(run), first);
      run.forEach(function (entry) { entry.p.remove(); });
    });
  }

  // Markdown tables hold a line of text per cell and need a header row.
  function convertTables(root) {
    root.querySelectorAll("table").forEach(function (table) {
      table.querySelectorAll("td, th").forEach(function (cell) {
        var parts = [];
        cell.querySelectorAll("p, div").forEach(function (block) {
          parts.push(block.textContent.replace(/\s+/g, " ").trim());
        });
        cell.textContent = parts.length ? parts.filter(Boolean).join(" ")
          : cell.textContent.replace(/\s+/g, " ").trim();
        cell.removeAttribute("style"); cell.removeAttribute("width");
      });
      if (!table.querySelector("thead, th")) {
        var first = table.querySelector("tr");
        if (first) {
          var head = document.createElement("thead");
          var row = document.createElement("tr");
          first.querySelectorAll("td").forEach(function (cell) {
            var th = document.createElement("th");
            th.textContent = cell.textContent;
            row.appendChild(th);
          });
          head.appendChild(row);
          first.remove();
          table.insertBefore(head, table.firstChild);
        }
      }
    });
  }

  function cleanOfficeHtml(html) {
    var start = html.indexOf("<!--StartFragment-->");
    var end = html.lastIndexOf("<!--EndFragment-->");
    if (start > -1 && end > start) { html = html.slice(start + 20, end); }
    // A document that is only parsed, never shown: nothing in it runs or loads.
    var doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    var root = doc.body;
    convertLists(root);
    convertTables(root);
    root.querySelectorAll("o\\:p, style, meta, link, xml").forEach(function (node) { node.remove(); });
    root.querySelectorAll("[style], [class], [lang]").forEach(function (node) {
      node.removeAttribute("style"); node.removeAttribute("class"); node.removeAttribute("lang");
    });
    root.querySelectorAll("span, font").forEach(function (node) {
      while (node.firstChild) { node.parentNode.insertBefore(node.firstChild, node); }
      node.remove();
    });
    var comments = doc.createTreeWalker(root, NodeFilter.SHOW_COMMENT), dropped = [];
    while (comments.nextNode()) { dropped.push(comments.currentNode); }
    dropped.forEach(function (node) { node.remove(); });
    return root.innerHTML.replace(/\u00a0/g, " ");
  }

  function pasteFromOffice(editor) {
    host.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      var html = data ? data.getData("text/html") : "";
      if (!html || !OFFICE.test(html) || !editor.isWysiwygMode()) { return; }
      var view = editor.wwEditor && editor.wwEditor.view;
      if (!view || typeof view.pasteHTML !== "function") { return; }
      event.preventDefault();
      event.stopPropagation();
      view.pasteHTML(cleanOfficeHtml(html));
    }, true);
  }

  var editor = null;
  var attach = attachmentButton(function () { return editor; });
  var english = (document.documentElement.lang || "zh").indexOf("en") === 0;

  editor = new window.toastui.Editor({
    el: host,
    initialValue: textarea.value,
    initialEditType: "wysiwyg",
    previewStyle: "tab",
    height: "520px",
    language: english ? "en-US" : "zh-CN",
    usageStatistics: false, // never call home: intranets have no internet
    autofocus: false,
    customHTMLSanitizer: window.toastui.sanitize,
    toolbarItems: [
      ["heading", "bold", "italic", "strike"],
      ["hr", "quote"],
      ["ul", "ol", "indent", "outdent"],
      ["table", "image", "link", { name: "attachment", tooltip: text.attach, el: attach }],
      ["code", "codeblock"]
    ],
    hooks: {
      addImageBlobHook: function (blob, callback) {
        upload(blob).then(function (saved) { callback(saved.url, saved.filename); },
          function () { /* said in the status line */ });
        return false;
      }
    }
  });

  // Only a real change rewrites the textarea: opening and saving an article unchanged keeps
  // its Markdown byte for byte.
  editor.on("change", function () {
    textarea.value = editor.getMarkdown();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  });
  pasteFromOffice(editor);
  form.classList.add("has-rich-editor");
  textarea.closest("label").classList.add("rich-editor-source");
  window.seciEditor = editor; // for the browser tests and for people who script their browser
})();
