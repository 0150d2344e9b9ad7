#!/usr/bin/env bash
# NetLab's two entry points on a fresh Debian machine with Python 3.11:
#   ./dev.sh run    set up (if needed) and open the app
#   ./dev.sh test   set up (if needed) and run every test, Qt offscreen
# Set-up: the Debian packages Qt and venv need (installed when run as root,
# listed otherwise), a virtual environment in .venv, and the pinned packages.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
STAMP="$VENV/.installed"

find_python() {
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            echo "$candidate"
            return
        fi
    done
    echo "dev.sh: Python 3.11 is required (python3.11 or python3 not found at 3.11)" >&2
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
    "$python" -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
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

setup() {
    local python wanted
    python=$(find_python)
    wanted=$(cat requirements.txt requirements-dev.txt setup.py | sha256sum | cut -d' ' -f1)
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] && [ -x "$VENV/bin/python" ]; then
        return
    fi
    system_packages "$python"
    [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r requirements-dev.txt
    "$VENV/bin/python" -m pip install --quiet --no-deps -e .
    echo "$wanted" > "$STAMP"
}

case "${1:-}" in
    run)
        setup
        exec "$VENV/bin/python" main.py
        ;;
    test)
        setup
        export QT_QPA_PLATFORM=offscreen OPENBLAS_NUM_THREADS=1
        "$VENV/bin/python" -m ruff check .
        echo "== all tests, TensorFlow backend =="
        KERAS_BACKEND=tensorflow "$VENV/bin/python" -m pytest -q
        echo "== layer library and training engine, JAX backend =="
        KERAS_BACKEND=jax exec "$VENV/bin/python" -m pytest -q tests/netlab/layers \
            tests/netlab/training/test_engine.py tests/netlab/training/test_jax_loop.py
        ;;
    *)
        echo "usage: ./dev.sh run | ./dev.sh test" >&2
        exit 2
        ;;
esac
