#!/usr/bin/env bash
# clang-format over the repository's C++ files (those git tracks), with the style of .clang-format.
#   scripts/format.sh            rewrites the files in place
#   scripts/format.sh --check    changes nothing; lists each file that is not formatted, exits 1 if any
#   scripts/format.sh [--check] FILE...   only those files
# CLANG_FORMAT names the binary (default: clang-format).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clang_format="${CLANG_FORMAT:-clang-format}"
command -v "$clang_format" >/dev/null || { echo "format.sh: $clang_format not found (apt-get install clang-format)" >&2; exit 2; }

check=0
if [ "${1:-}" = "--check" ]; then
    check=1
    shift
fi
case "${1:-}" in -*) echo "usage: scripts/format.sh [--check] [FILE...]" >&2; exit 2 ;; esac

if [ $# -gt 0 ]; then
    files=("$@")
else
    cd "$here"
    mapfile -t files < <(git ls-files -- '*.c' '*.cc' '*.cpp' '*.h' '*.hpp')
fi
[ ${#files[@]} -gt 0 ] || exit 0

if [ "$check" = 0 ]; then
    "$clang_format" -i --style=file "${files[@]}"
    exit 0
fi

unformatted=0
for f in "${files[@]}"; do
    if ! "$clang_format" --style=file "$f" | cmp -s - "$f"; then
        echo "$f"
        unformatted=$((unformatted + 1))
    fi
done
if [ "$unformatted" -gt 0 ]; then
    echo "format.sh: $unformatted file(s) not formatted; scripts/format.sh rewrites them" >&2
    exit 1
fi
