# workdir.sh - sourced by the benchmark scripts: the folder a run keeps its files in.
# bench_workdir NAME: uses $workdir when given (kept), else a new temporary folder that is
# removed when the script exits 0 (kept, and said so, after a failure or with keep=1).
# bench_cleanup [STATUS]: the EXIT trap; a script with its own trap passes the status it saw.
bench_workdir() {
    bench_name=$1
    if [ -n "$workdir" ]; then
        mkdir -p "$workdir"
        keep=1
    else
        workdir=$(mktemp -d "${TMPDIR:-/tmp}/svcov-$bench_name.XXXXXX")
    fi
    workdir=$(cd "$workdir" && pwd)
    trap bench_cleanup EXIT
}

bench_cleanup() {
    local rc=${1:-$?}
    if [ "$keep" -eq 0 ] && [ "$rc" -eq 0 ]; then
        rm -rf "$workdir"
    else
        echo "$bench_name.sh: files kept in $workdir" >&2
    fi
}
