#!/usr/bin/env bash
# Builds the fuzz targets and runs each one over its seeds plus a few
# hundred mutations: a smoke test that the targets build and that nothing
# known crashes. Long runs use the same script with other libFuzzer flags.
#
#   fuzz/smoke.sh                       # every target, -runs=500
#   fuzz/smoke.sh migrate optdata       # some targets
#   FUZZ_ARGS="-max_total_time=600 -print_final_stats=1" fuzz/smoke.sh token_response
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Only a stable toolchain is
# needed: RUSTC_BOOTSTRAP=1 lets it take the nightly flags cargo fuzz
# passes. Targets are built without a sanitizer: stackauth has no unsafe
# code, and what is looked for is panics (overflow checks and debug
# assertions are on), hangs and runaway memory.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
FUZZ_ARGS="${FUZZ_ARGS:--runs=500}"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export STACKAUTH_FUZZ_SCRATCH="$scratch"

if [[ $# -gt 0 ]]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi

# Repository files that seed a target beside fuzz/seeds/<target>.
repo_seeds() {
    case "$1" in
        ini_roundtrip | migrate | interpolation)
            ls ../examples/conf/*.conf ../examples/conf/plugins/*.conf ../tests/data/*.conf ../tests/data/findings/*.conf ;;
        toml_load) ls ../examples/conf/*.toml ../tests/data/findings/*.toml ;;
        *) ;;
    esac
}

nice -n 19 cargo fuzz build -s none
for t in "${targets[@]}"; do
    corpus="corpus/$t"
    mkdir -p "$corpus"
    cp seeds/"$t"/* "$corpus"/
    for f in $(repo_seeds "$t"); do cp "$f" "$corpus/repo-$(basename "$(dirname "$f")")-$(basename "$f")"; done
    echo "== $t ($FUZZ_ARGS)"
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    nice -n 19 cargo fuzz run -s none "$t" "$corpus" -- -timeout=10 $FUZZ_ARGS
done
