# Shared bootstrap for scripts/run, scripts/test and scripts/manage (sourced, not executed).
# Creates .venv with Python 3.11+ when missing and installs the pinned dependencies when pyproject.toml changed.
# Everything it prints goes to standard error so that command output (e.g. `evaluate`) stays clean.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Cần Python 3.11 trở lên (Python 3.11+ is required)." >&2
  return 1
}

bootstrap() {
  local extras="${1:-}"
  if [ ! -x .venv/bin/python ]; then
    local py; py="$(find_python)"
    echo "» creating .venv with $py" >&2
    "$py" -m venv .venv >&2
  fi
  local want stamp with_dev
  want="$( (cat pyproject.toml; echo "extras=$extras") | sha256sum | cut -c1-16)"
  with_dev="$( (cat pyproject.toml; echo "extras=dev") | sha256sum | cut -c1-16)"
  stamp=".venv/.installed-$want"
  # An install with the dev extras also serves the plain runtime.
  if [ ! -f "$stamp" ] && ! { [ -z "$extras" ] && [ -f ".venv/.installed-$with_dev" ]; }; then
    echo "» installing dependencies${extras:+ ($extras)}" >&2
    .venv/bin/python -m pip install --quiet --upgrade pip >&2
    .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}" >&2
    rm -f .venv/.installed-*
    touch "$stamp"
  fi
  export PATH="$ROOT/.venv/bin:$PATH"
}
