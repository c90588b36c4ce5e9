# Shared by scripts/demo and scripts/test: make .venv with Python >= 3.11 and install SECI.
# Usage: source scripts/_venv.sh; ensure_venv "<extras>"
find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "SECI needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

ensure_venv() {
  local extras="$1" spec="." stamp
  [ -n "$extras" ] && spec=".[$extras]"
  if [ ! -x .venv/bin/python ]; then
    "$(find_python)" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
  fi
  # Reinstall only when pyproject.toml changed (or new extras are wanted).
  stamp=".venv/.seci-installed-$(sha1sum pyproject.toml | cut -c1-12)-${extras:-base}"
  if [ ! -f "$stamp" ]; then
    # The neural extra needs torch: the pinned CPU build first, as the resolver would
    # otherwise pick a torch with gigabytes of CUDA wheels.
    if [[ ",$extras," == *,neural,* ]] && ! .venv/bin/python -c \
        'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)'; then
      .venv/bin/python -m pip install --quiet "torch==${SECI_TORCH_VERSION:-2.13.0}"
    fi
    .venv/bin/python -m pip install --quiet -e "$spec"
    touch "$stamp"
  fi
}
