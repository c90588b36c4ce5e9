#!/bin/sh
# Rebuild the vendored editor (only when updating it; SECI installs without Node.js).
#   cd frontend/editor && npm ci && sh build.sh
# then run the editor's browser tests: pytest tests/browser/test_editor.py
set -eu
cd "$(dirname "$0")"
OUT=../../src/seci/web/static/vendor/toastui-editor
mkdir -p "$OUT/licenses"
npx esbuild entry.js --bundle --minify --format=iife --target=es2019 \
  --legal-comments=eof --outfile="$OUT/toastui-editor-all.min.js"
npx esbuild node_modules/@toast-ui/editor/dist/toastui-editor.css --minify \
  --outfile="$OUT/toastui-editor.min.css"
for dep in prosemirror-model prosemirror-state prosemirror-view prosemirror-transform \
           prosemirror-commands prosemirror-history prosemirror-inputrules prosemirror-keymap \
           orderedmap rope-sequence w3c-keyname dompurify; do
  for f in LICENSE LICENSE.md LICENSE.txt; do
    [ -f "node_modules/$dep/$f" ] && cp "node_modules/$dep/$f" "$OUT/licenses/LICENSE-$dep" && break
  done
done
sha256sum "$OUT/toastui-editor-all.min.js" "$OUT/toastui-editor.min.css"
