#!/usr/bin/env bash
# Build time of the example app's API as gqlgen generates it (build-time-generated: the example
# app's entity files and roots) against the same API written by hand with async-graphql derives
# (build-time-handwritten), and the lines of Rust each takes. docs/performance.md, "Build time
# of generated code", has the results and what the hand-written crate leaves out.
#
#   benches/build-time/measure.sh                # N=3 rounds, debug builds and checks
#   N=5 RELEASE=1 benches/build-time/measure.sh  # more rounds, and one release build each
#
# Each timed build compiles one crate and nothing else: its dependencies are built first, and
# `cargo clean -p <crate>` then removes that crate's own artifacts and incremental cache (and
# nothing of its dependencies, gqlgen-derive included), so the timed `cargo build` is a full
# compile of the crate, derive expansion included. Touching lib.rs instead would time an
# incremental rebuild that reuses almost everything; that is measured separately ("rebuild
# after touch"). A run that compiled another crate too (a dependency edited meanwhile), or that
# waited for the build directory's lock, is discarded and repeated.
#
# Wall time is what a developer waits; CPU time (user + system of cargo and rustc) is the work,
# and varies less when other builds share the machine. Before each timed command the script
# waits (up to IDLE_WAIT seconds, default 600) until no other rustc runs.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

runs=${N:-3}
release=${RELEASE:-0}
idle_wait=${IDLE_WAIT:-600}
crates=(build-time-generated build-time-handwritten)
declare -A lib_rs=(
    [build-time-generated]=benches/build-time/generated/src/lib.rs
    [build-time-handwritten]=benches/build-time/handwritten/src/lib.rs
)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

wait_idle() {
    local waited=0
    while pgrep -x rustc >/dev/null && ((waited < idle_wait)); do
        sleep 5
        waited=$((waited + 5))
    done
    if pgrep -x rustc >/dev/null; then
        echo "  note: other builds still running after ${idle_wait}s; measuring anyway" >&2
    fi
}

# Runs `cargo "$@"` quietly; stops the script with cargo's output when it fails.
cargo_quiet() {
    if ! cargo "$@" >"$log" 2>&1; then
        cat "$log" >&2
        exit 1
    fi
}

# Prints "<wall seconds> <CPU seconds>" of `cargo <args> -p <crate>` run after `prepare` (a
# function below). The timed command must compile exactly `expected` crates (1, or 0 for a
# no-op), and that one must be `crate`.
timed() {
    local crate=$1 prepare=$2 expected=$3
    shift 3
    local attempt times wall user sys compiled
    local TIMEFORMAT='%R %U %S'
    for attempt in 1 2 3 4 5; do
        "$prepare" "$crate" "$@"
        wait_idle
        if ! times=$({ time cargo "$@" -p "$crate" >"$log" 2>&1; } 2>&1); then
            cat "$log" >&2
            exit 1
        fi
        read -r wall user sys <<<"$times"
        compiled=$(grep -cE '^ +(Compiling|Checking) ' "$log" || true)
        if ((compiled == expected)) && ! grep -q 'Blocking waiting' "$log" &&
            { ((expected == 0)) || grep -qE "^ +(Compiling|Checking) $crate " "$log"; }; then
            awk -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f %.2f\n", w, u + s }'
            return
        fi
        echo "  note: '$*' for $crate built other crates or waited for a lock;" \
            "attempt $((attempt + 1))" >&2
    done
    echo "  error: could not time '$*' for $crate alone" >&2
    exit 1
}

# Dependencies up to date, then the crate's own artifacts removed.
fresh_crate() {
    local crate=$1
    shift
    cargo_quiet "$@" -p "$crate"
    local profile=()
    [[ " $* " == *" --release "* ]] && profile=(--release)
    cargo_quiet clean "${profile[@]}" -p "$crate"
}

# Built, then lib.rs touched: the next build is an incremental rebuild.
touched() {
    local crate=$1
    shift
    cargo_quiet "$@" -p "$crate"
    touch "${lib_rs[$crate]}"
}

# Built: the next build has nothing to do but cargo's own checks.
built() {
    local crate=$1
    shift
    cargo_quiet "$@" -p "$crate"
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.1f", m
    }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Lines of Rust in the files: all, and those that are neither blank nor comments.
lines_all() { cat "$@" | wc -l; }
lines_code() { cat "$@" | grep -vE '^\s*$' | grep -vcE '^\s*//'; }

echo "commit $(git rev-parse --short HEAD), $(rustc --version), $(nproc) cores," \
    "$(date -u +%Y-%m-%dT%H:%MZ)"
# The working tree is what is compiled: name what differs from the commit.
changed=$(git status --porcelain -- . ':!benches/build-time' | awk '{ print $NF }' | tr '\n' ' ')
[[ -n $changed ]] && echo "uncommitted changes compiled too: $changed"

# Each crate's dependencies, built for it alone: built together, the two would unify features
# (async-graphql's `dataloader`, for one) into a third set that neither uses when timed.
echo "building the dependencies of each crate (debug and check)..."
for crate in "${crates[@]}"; do
    cargo_quiet build -p "$crate"
    cargo_quiet check -p "$crate"
done

# samples[<crate> <measure>] holds the seconds of each round, space-separated.
declare -A samples
record() {
    local crate=$1 measure=$2 seconds=$3
    samples["$crate $measure"]+="$seconds "
}
for ((round = 1; round <= runs; round++)); do
    echo "round $round of $runs"
    for crate in "${crates[@]}"; do
        # Assigned first, so that a failed measurement stops the script (`set -e`).
        build_times=$(timed "$crate" fresh_crate 1 build)
        check_times=$(timed "$crate" fresh_crate 1 check)
        touch_times=$(timed "$crate" touched 1 build)
        noop_times=$(timed "$crate" built 0 build)
        read -r build_wall build_cpu <<<"$build_times"
        read -r check_wall check_cpu <<<"$check_times"
        read -r touch_wall _ <<<"$touch_times"
        read -r noop_wall _ <<<"$noop_times"
        echo "  $crate: build ${build_wall}s (CPU ${build_cpu}s), check ${check_wall}s" \
            "(CPU ${check_cpu}s), rebuild after touch ${touch_wall}s, no-op ${noop_wall}s"
        record "$crate" build "$build_wall"
        record "$crate" build_cpu "$build_cpu"
        record "$crate" check "$check_wall"
        record "$crate" check_cpu "$check_cpu"
        record "$crate" touch "$touch_wall"
        record "$crate" noop "$noop_wall"
    done
done

measures=(build build_cpu check check_cpu touch noop)
header="| crate | build | build CPU | check | check CPU | rebuild after touch | no-op |"
if [[ $release == 1 ]]; then
    echo "release builds (dependencies first)..."
    for crate in "${crates[@]}"; do
        release_times=$(timed "$crate" fresh_crate 1 build --release)
        read -r release_wall release_cpu <<<"$release_times"
        echo "  $crate: release build ${release_wall}s (CPU ${release_cpu}s)"
        record "$crate" release "$release_wall"
        record "$crate" release_cpu "$release_cpu"
    done
    measures+=(release release_cpu)
    header+=" release build | release CPU |"
fi

generated_files=(
    example-app/src/entities/*.rs
    example-app/src/validators.rs
    benches/build-time/generated/src/lib.rs
)
mapfile -t handwritten_files < <(find benches/build-time/handwritten/src -name '*.rs' | sort)
mapfile -t handwritten_api < <(find benches/build-time/handwritten/src/api -name '*.rs' | sort)
declare -A code=(
    [build-time-generated]=$(lines_code "${generated_files[@]}")
    [build-time-handwritten]=$(lines_code "${handwritten_files[@]}")
)
declare -A all=(
    [build-time-generated]=$(lines_all "${generated_files[@]}")
    [build-time-handwritten]=$(lines_all "${handwritten_files[@]}")
)

echo
echo "Seconds of \`cargo <command> -p <crate>\`, median of $runs (release: one build);" \
    "debug profile but for release."
echo
echo "$header Rust lines written (code / all) |"
echo "|---|$(printf -- '---:|%.0s' "${measures[@]}")---:|"
declare -A med
for crate in "${crates[@]}"; do
    row="| $crate |"
    for measure in "${measures[@]}"; do
        read -ra values <<<"${samples["$crate $measure"]}"
        med["$crate $measure"]=$(median "${values[@]}")
        row+=" ${med["$crate $measure"]} |"
    done
    echo "$row ${code[$crate]} / ${all[$crate]} |"
done
g=build-time-generated
h=build-time-handwritten
row="| generated / hand-written |"
for measure in "${measures[@]}"; do
    row+=" $(ratio "${med["$g $measure"]}" "${med["$h $measure"]}") |"
done
echo "$row $(ratio "${code[$g]}" "${code[$h]}") / $(ratio "${all[$g]}" "${all[$h]}") |"

echo
echo "Lines: generated = example-app/src/entities/*.rs, example-app/src/validators.rs and"
echo "generated/src/lib.rs; hand-written = handwritten/src/**/*.rs, of which the GraphQL code"
echo "(src/api) is $(lines_code "${handwritten_api[@]}") / $(lines_all "${handwritten_api[@]}")."
echo "Samples (s):"
for crate in "${crates[@]}"; do
    line="  $crate:"
    for measure in "${measures[@]}"; do
        line+=" $measure [${samples["$crate $measure"]% }]"
    done
    echo "$line"
done
