// The one file SECI's editor page loads: Toast UI Editor with its ProseMirror dependencies
// and its Simplified Chinese texts, plus a current DOMPurify for pasted HTML (the editor's
// own copy is 2.3.3; editor.js passes this one as customHTMLSanitizer). A global,
// window.toastui = { Editor, sanitize }, that ../../src/seci/web/static/editor.js sets up.
import Editor from "@toast-ui/editor";
import "@toast-ui/editor/dist/i18n/zh-cn";
import DOMPurify from "dompurify";

window.toastui = {
  Editor,
  // The editor's own rules (no forms, scripts, styles or frames in pasted HTML), on DOMPurify 3.
  sanitize: (html) => DOMPurify.sanitize(html, {
    ADD_ATTR: ["rel", "target", "hreflang", "type"],
    FORBID_TAGS: ["input", "script", "textarea", "form", "button", "select", "meta", "style",
                  "link", "title", "object", "base"],
  }),
};
