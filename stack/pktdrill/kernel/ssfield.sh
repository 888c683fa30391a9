#!/bin/sh
# ssfield REGEX: some non-listening socket's ss -tino line matches REGEX (ss omits zero fields)
out=$(ss -tinoH state all | grep -v '^LISTEN' | tr '\n' ' ')
echo "$out" | grep -Eq "$1" && exit 0
echo "ssfield: no match for $1 in: $out" >&2; exit 1
