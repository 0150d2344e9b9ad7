#!/usr/bin/env bash
# NetLab's two entry points on a fresh Debian machine:
#   ./dev.sh run    set up (if needed) and open the app
#   ./dev.sh test   set up (if needed) and run every test, Qt offscreen
# Python: the newest of 3.13, 3.12 and 3.11 that runs here (on PATH, or installed by pyenv),
# or PYTHON=/path/to/python. Set-up: the Debian packages Qt and venv need (installed when run
# as root, listed otherwise), a virtual environment in .venv, the pinned packages, NetLab itself.
# `test` runs the whole suite on that Python, then proves each other supported Python found:
# a venv of its own (.venv-3.X), the same pins, the wheel test and the core tests.
# NETLAB_REQUIRE_ALL_PYTHONS=1 (CI) makes a supported Python that is not found an error.
set -euo pipefail
cd "$(dirname "$0")"

SUPPORTED=(3.13 3.12 3.11)
# Tests run in two processes (pytest-xdist), a test file in one process (a module's fixtures,
# such as the wheel built once, are not made twice). NETLAB_TEST_WORKERS=0: one process.
XDIST="-n ${NETLAB_TEST_WORKERS:-2} --dist loadfile"

# The absolute path of a working Python $1 (e.g. 3.12), or nothing.
python_for() {
    local version=$1 root candidate
    local candidates=("python$version")
    root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    # pyenv's shims run only the versions selected; its installed ones run directly.
    for candidate in $(ls -d "$root"/versions/"$version".*/bin 2>/dev/null | sort -V -r); do
        candidates+=("$candidate/python$version")
    done
    candidates+=("/usr/bin/python$version" "/usr/local/bin/python$version")
    for candidate in "${candidates[@]}"; do
        if "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != (${version/./, }))" \
            >/dev/null 2>&1; then
            "$candidate" -c 'import sys; print(sys.executable)'
            return
        fi
    done
}

main_python() {
    local version found
    if [ -n "${PYTHON:-}" ]; then
        version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || {
            echo "dev.sh: PYTHON=$PYTHON does not run" >&2; exit 1; }
        if [[ " ${SUPPORTED[*]} " != *" $version "* ]]; then
            echo "dev.sh: PYTHON=$PYTHON is Python $version; NetLab supports ${SUPPORTED[*]}" >&2
            exit 1
        fi
        "$PYTHON" -c 'import sys; print(sys.executable)'
        return
    fi
    for version in "${SUPPORTED[@]}"; do
        found=$(python_for "$version")
        if [ -n "$found" ]; then echo "$found"; return; fi
    done
    echo "dev.sh: Python 3.13, 3.12 or 3.11 is required (none found; or set PYTHON=...)" >&2
    exit 1
}

# Shared libraries PySide6 needs (offscreen and on X11), by the Debian package holding them.
QT_LIBS=(
    "libEGL.so.1:libegl1" "libGL.so.1:libgl1" "libfontconfig.so.1:libfontconfig1"
    "libxkbcommon.so.0:libxkbcommon0" "libdbus-1.so.3:libdbus-1-3" "libglib-2.0.so.0:libglib2.0-0"
    "libxkbcommon-x11.so.0:libxkbcommon-x11-0" "libxcb-cursor.so.0:libxcb-cursor0"
    "libxcb-icccm.so.4:libxcb-icccm4" "libxcb-keysyms.so.1:libxcb-keysyms1"
    "libxcb-shape.so.0:libxcb-shape0" "libxcb-randr.so.0:libxcb-randr0"
    "libxcb-render-util.so.0:libxcb-render-util0" "libxcb-image.so.0:libxcb-image0"
    "libxcb-xkb.so.1:libxcb-xkb1" "libX11-xcb.so.1:libx11-xcb1"
)

system_packages() {
    local python=$1 missing=()
    "$python" -c 'import ensurepip, venv' 2>/dev/null ||
        missing+=("python$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv")
    for pair in "${QT_LIBS[@]}"; do
        ldconfig -p 2>/dev/null | grep -q "${pair%%:*}" || missing+=("${pair#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "dev.sh: installing Debian packages: ${missing[*]}"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    else
        echo "dev.sh: missing Debian packages; run: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

# A venv $1 on Python $2 with the pinned packages and NetLab (editable); again only on change.
setup() {
    local venv=$1 python=$2 wanted
    wanted=$( (cat requirements.txt requirements-dev.txt pyproject.toml; "$python" -VV) |
        sha256sum | cut -d' ' -f1)
    if [ -f "$venv/.installed" ] && [ "$(cat "$venv/.installed")" = "$wanted" ] &&
        [ -x "$venv/bin/python" ]; then
        return
    fi
    system_packages "$python"
    if [ -x "$venv/bin/python" ] && [ "$("$venv/bin/python" -VV)" != "$("$python" -VV)" ]; then
        echo "dev.sh: $venv holds another Python; making it again on $python"
        rm -rf "$venv"
    fi
    echo "dev.sh: setting up $venv on $("$python" -V)"
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -r requirements-dev.txt
    "$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
    echo "$wanted" > "$venv/.installed"
}

version_of() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

# The other supported Pythons: the wheel test and the core tests (no GUI but the refcount trap),
# less those marked heavy (slow Keras work the main Python's run has covered).
prove_other_pythons() {
    local main_version=$1 version python missing=() proven=()
    for version in "${SUPPORTED[@]}"; do
        [ "$version" = "$main_version" ] && continue
        python=$(python_for "$version")
        if [ -z "$python" ]; then
            missing+=("$version")
            continue
        fi
        local started=$SECONDS
        setup ".venv-$version" "$python"
        echo "== Python $version: the wheel and the core tests but the heavy ones, TensorFlow backend =="
        KERAS_BACKEND=tensorflow ".venv-$version/bin/python" -m pytest -q -p no:cacheprovider \
            $XDIST -m "not heavy" tests/test_packaging.py tests/netlab tests/ui/test_pyside_refcount.py
        echo "dev.sh: Python $version proven in $((SECONDS - started)) s, set-up included"
        proven+=("$version")
    done
    echo "dev.sh: whole suite on Python $main_version; wheel and core tests on" \
        "${proven[*]:-no other}; not found: ${missing[*]:-none}"
    if [ ${#missing[@]} -gt 0 ] && [ "${NETLAB_REQUIRE_ALL_PYTHONS:-}" = 1 ]; then
        echo "dev.sh: every supported Python must be proven here; missing: ${missing[*]}" >&2
        exit 1
    fi
}

# The other Pythons' venvs, made one after another in the background while the main suite runs
# (mostly downloading and unpacking wheels); prove_other_pythons then finds them ready.
prepare_other_pythons() {
    local main_version=$1 version python
    for version in "${SUPPORTED[@]}"; do
        [ "$version" = "$main_version" ] && continue
        python=$(python_for "$version")
        [ -n "$python" ] && setup ".venv-$version" "$python"
    done
}

case "${1:-}" in
    run)
        PYTHON_MAIN=$(main_python)
        setup .venv "$PYTHON_MAIN"
        exec .venv/bin/netlab
        ;;
    test)
        PYTHON_MAIN=$(main_python)
        setup .venv "$PYTHON_MAIN"
        MAIN_VERSION=$(version_of .venv/bin/python)
        (prepare_other_pythons "$MAIN_VERSION") > .venv-others.log 2>&1 &
        PREPARING=$!
        trap 'kill "$PREPARING" 2>/dev/null || true' EXIT  # a failing suite ends it too
        export QT_QPA_PLATFORM=offscreen OPENBLAS_NUM_THREADS=1
        .venv/bin/python -m ruff check .
        .venv/bin/python -m mypy
        echo "== Python $MAIN_VERSION: all tests, TensorFlow backend =="
        KERAS_BACKEND=tensorflow .venv/bin/python -m pytest -q $XDIST
        echo "== Python $MAIN_VERSION: layer library, training engine, gradient records and inspection, JAX backend =="
        KERAS_BACKEND=jax .venv/bin/python -m pytest -q $XDIST tests/netlab/layers \
            tests/netlab/training/test_engine.py tests/netlab/training/test_jax_loop.py \
            tests/netlab/training/test_layerstats.py::test_first_record_equals_the_gradient_of_the_same_batch \
            tests/netlab/inspect/test_boundary.py tests/netlab/inspect/test_activations.py \
            tests/netlab/inspect/test_histograms.py
        if ! wait "$PREPARING"; then
            cat .venv-others.log >&2
            echo "dev.sh: setting up the other Pythons failed (above)" >&2
            exit 1
        fi
        cat .venv-others.log
        prove_other_pythons "$MAIN_VERSION"
        ;;
    *)
        echo "usage: ./dev.sh run | ./dev.sh test" >&2
        exit 2
        ;;
esac
