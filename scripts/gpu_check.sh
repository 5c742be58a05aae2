#!/usr/bin/env bash
# polygrad on an NVIDIA GPU, in one run of at most about 9 minutes (see docs/gpu.md):
#   1. installs polygrad (and what it needs) into a scratch folder, offline from wheels in .whl/
#      when that folder exists, else from the checkout with pip;
#   2. the GPU tests of torch:cuda and jax:gpu (tests/test_gpu.py and the GPU tests of
#      tests/test_backends.py and the README's ten lines);
#   3. the conformance suite on `cuda`;
#   4. benchmark case F (its CUDA rows: B at scale on `cuda` against torch eager);
# and writes one summary file: $OUT/gpu_check_summary.md when OUT is set, else
# ${TMPDIR:-/tmp}/polygrad-gpu-check/gpu_check_summary.md; its path is printed.
#
#   scripts/gpu_check.sh                 # from anywhere; PYTHON=python3.12 picks the interpreter
#
# Exit status: 0 every step passed; 1 a step failed (the summary says which and why);
# 2 polygrad could not be installed; 3 no NVIDIA GPU was found (nothing was checked).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-python3}
WHEELS=${GPU_CHECK_WHEELS:-$ROOT/.whl}
DEST=${OUT:-${TMPDIR:-/tmp}/polygrad-gpu-check}
SUMMARY=$DEST/gpu_check_summary.md
# seconds per step: together about 9 minutes, inside the 10 a GPU loan allows
T_INSTALL=60 T_TESTS=120 T_CONFORMANCE=270 T_BENCH=120

mkdir -p "$DEST"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/polygrad-gpu-check.XXXXXX")
START=$(date +%s)
FAILED=()

say() { printf '%s\n' "$*" >>"$SUMMARY"; }
tail_of() { printf '```text\n'; tail -n "$2" "$1"; printf '```\n'; }

: >"$SUMMARY"
say "# polygrad GPU check"
say ""
say "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
say "- host: $(uname -srm); python: $("$PY" --version 2>&1) ($(command -v "$PY"))"

# -- 0. is there a GPU? ---------------------------------------------------------------------------
reason=""
if ! command -v nvidia-smi >/dev/null 2>&1; then
    reason="nvidia-smi is not on the PATH (no NVIDIA driver here)"
elif ! gpus=$(nvidia-smi -L 2>&1); then
    reason="nvidia-smi failed: $(printf '%s' "$gpus" | head -n 1)"
elif ! printf '%s\n' "$gpus" | grep -q '^GPU '; then
    reason="nvidia-smi lists no GPU ($(printf '%s' "$gpus" | head -n 1))"
fi
if [ -n "$reason" ]; then
    msg="gpu_check: no NVIDIA GPU found: $reason. Nothing was checked; run this on a machine with an NVIDIA GPU."
    say "- GPU: none found: $reason"
    say ""
    say "**Nothing was checked.**"
    echo "$msg" >&2
    echo "summary: $SUMMARY" >&2
    rm -rf "$WORK"
    exit 3
fi
say "- GPU: $(printf '%s' "$gpus" | head -n 4 | tr '\n' ';' | sed 's/;$//')"
say "- driver: $(nvidia-smi --query-gpu=driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1)"

# -- 1. install -----------------------------------------------------------------------------------
# Into a scratch folder on PYTHONPATH, so that the interpreter's own torch and jax (CUDA builds)
# are used as they are; nothing is installed into that interpreter's environment.
SITE=$WORK/site
export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
export XLA_PYTHON_CLIENT_PREALLOCATE=false   # JAX and torch share the GPU in one process
export PYTHONUNBUFFERED=1
install_polygrad() {
    local offline=() req module
    if compgen -G "$WHEELS/*.whl" >/dev/null; then
        # no index there: the wheels carried in, then polygrad built from the checkout with the
        # setuptools they bring (>= 77), without build isolation
        echo "offline, with the wheels in $WHEELS:"; ls "$WHEELS"
        offline=(--no-index --no-build-isolation)
        "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
            --target "$SITE" "$WHEELS"/*.whl || return 1
    else
        echo "no wheels in $WHEELS: polygrad and what is missing from the package index"
    fi
    "$PY" -m pip install -q --no-deps --no-compile --no-cache-dir ${offline[@]+"${offline[@]}"} \
        --target "$SITE" "$ROOT" || return 1
    for req in "array-api-compat>=1.9" "pytest>=8" "hypothesis>=6"; do
        module=${req%%>*}; module=${module//-/_}
        "$PY" -c "import $module" 2>/dev/null && continue
        if [ ${#offline[@]} -gt 0 ]; then
            echo "$req is not installed and not among the wheels in $WHEELS (see docs/gpu.md)"
            return 1
        fi
        "$PY" -m pip install -q --no-cache-dir --target "$SITE" "$req" || return 1
    done
    "$PY" -c "import polygrad, polygrad_conformance, numpy, array_api_compat, pytest"
}
export -f install_polygrad
export PY WHEELS SITE ROOT
log=$WORK/install.log
(cd "$WORK" && timeout "$T_INSTALL" bash -c install_polygrad) >"$log" 2>&1
code=$?
say ""
say "## 1. install (exit $code)"
say ""
tail_of "$log" 15 >>"$SUMMARY"
if [ "$code" != 0 ]; then
    echo "gpu_check: could not install polygrad (see $SUMMARY)" >&2
    echo "summary: $SUMMARY" >&2
    rm -rf "$WORK"
    exit 2
fi

say ""
say "## versions and devices"
say ""
"$PY" - >>"$SUMMARY" 2>&1 <<'EOF'
import importlib.metadata as md
def v(d):
    try:
        return md.version(d)
    except md.PackageNotFoundError:
        return "not installed"
print("- " + ", ".join(f"{d} {v(d)}" for d in ("polygrad", "numpy", "array-api-compat", "torch",
                                                 "jax", "jaxlib", "pytest")))
try:
    import torch
    print(f"- torch: CUDA {torch.version.cuda}, available: {torch.cuda.is_available()}"
          + (f", {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ""))
except Exception as exc:   # noqa: BLE001
    print(f"- torch: {exc!r}")
try:
    import jax
    print(f"- jax devices: {jax.devices()}")
except Exception as exc:   # noqa: BLE001
    print(f"- jax: {exc!r}")
EOF
say ""
say '```text'
(cd "$WORK" && timeout 60 "$PY" -m polygrad backends --load) >>"$SUMMARY" 2>&1
say '```'

# -- the checks -----------------------------------------------------------------------------------
# step NAME SECONDS LINES COMMAND...: runs COMMAND in the checkout with a time limit; its output
# goes to the summary's section (the last LINES lines) and its failure to the verdict.
step() {
    local name=$1 limit=$2 lines=$3 out=$WORK/$1.log code t0
    shift 3
    t0=$(date +%s)
    (cd "$ROOT" && timeout "$limit" "$@") >"$out" 2>&1
    code=$?
    say ""
    say "## $name (exit $code, $(( $(date +%s) - t0 )) s)"
    say ""
    say "\`$(printf '%q ' "$@")\`"
    say ""
    if [ "$code" = 124 ]; then say "**stopped after its limit of $limit s**"; say ""; fi
    tail_of "$out" "$lines" >>"$SUMMARY"
    [ "$code" = 0 ] || FAILED+=("$name (exit $code)")
    return 0
}

step "2. GPU tests (torch:cuda, jax:gpu)" "$T_TESTS" 40 \
    "$PY" -m pytest -q -p no:cacheprovider -rs tests/test_gpu.py tests/test_backends.py \
    tests/test_examples.py -k "(test_gpu or cuda or gpu or readme_ten_line) and not gpu_check"
# a GPU test that skipped on a GPU machine (a CPU-only torch, no JAX GPU plugin) is not a pass
if grep -q "^SKIPPED .*test_gpu.py" "$WORK/2. GPU tests (torch:cuda, jax:gpu).log"; then
    FAILED+=("2. GPU tests: some skipped on this GPU machine (see their reasons above)")
fi

step "3. conformance on cuda" "$T_CONFORMANCE" 30 \
    "$PY" -m polygrad_conformance --backend cuda --jobs 4 --shards 4 --report "$WORK/conformance"
if [ -f "$WORK/conformance/report.md" ]; then
    say ""
    say "### conformance report (head)"
    say ""
    head -n 40 "$WORK/conformance/report.md" >>"$SUMMARY"
fi

step "4. benchmark case F" "$T_BENCH" 12 \
    "$PY" benchmarks/run.py --case F --quick --out "$WORK/bench"
if [ -f "$WORK/bench/latest.md" ]; then
    say ""
    say "### case F's CUDA rows"
    say ""
    # the targets table's header and CUDA row, then the CUDA measurement's own section
    awk '/^\| *(case|measurement)/ && !h {print; getline; print; h=1} /^\| F: .*cuda/' \
        "$WORK/bench/latest.md" >>"$SUMMARY"
    say ""
    awk '/^\*\*F: .*cuda/ {on=1; print; next} /^\*\*|^## / {on=0} on' \
        "$WORK/bench/latest.md" >>"$SUMMARY"
    if grep -q '^| F: .*cuda.*| not run' "$WORK/bench/latest.md"; then
        FAILED+=("4. benchmark case F: its CUDA rows did not run (see why above)")
    fi
fi

# -- verdict --------------------------------------------------------------------------------------
say ""
say "## verdict ($(( $(date +%s) - START )) s in all)"
say ""
if [ ${#FAILED[@]} = 0 ]; then
    say "every step passed"
else
    for f in "${FAILED[@]}"; do say "- FAILED: $f"; done
fi
rm -rf "$WORK"
echo "summary: $SUMMARY"
if [ ${#FAILED[@]} = 0 ]; then
    echo "gpu_check: every step passed"
    exit 0
fi
printf 'gpu_check: FAILED: %s\n' "${FAILED[@]}" >&2
exit 1
