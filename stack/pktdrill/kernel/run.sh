#!/bin/sh
# Runs suite scripts against this machine's kernel with upstream packetdrill, each in a network
# namespace of its own (unshare -n), N at a time. See ../KERNEL.md.
#   PACKETDRILL=/path/to/packetdrill stack/pktdrill/kernel/run.sh [-j N] <out dir> <file.pkt>...
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
: "${PACKETDRILL:?set PACKETDRILL to an upstream packetdrill binary (built outside the repository)}"

if [ "${1:-}" = --one ]; then
  out=$2 f=$3
  name=$(echo "$f" | sed 's#.*/suite/##; s#/#__#; s#\.pkt$##')
  (cd "$root" && npx tsx stack/pktdrill/kernel/kernelize.ts "$f" "$here") > "$out/$name.pkt" 2> "$out/$name.log" || exit 0
  rm -f "$out/$name.fail" "$out/$name.fail.late"
  start=$(date +%s)
  # A fresh netns has only lo and every per-netns sysctl at its default, but tcp_rmem is copied
  # from the host's: set the v6.18 default the stack models (max 6 MB, window scale 7). The
  # congestion control too: this machine's default is bbr and a namespace may not pick cubic
  # (Linux's default), so reno, the one stack/core/tcp/congestion.ts models.
  PD_FAILFILE="$out/$name.fail" unshare -n sh -c "ip link set lo up &&
    sysctl -qw net.ipv4.tcp_rmem='4096 131072 6291456' &&
    sysctl -qw net.ipv4.tcp_congestion_control=reno && cd '$here' &&
    '$PACKETDRILL' --tolerance_usecs=20000 --code_command='$here/tcpi.py' '$out/$name.pkt'" > "$out/$name.log" 2>&1
  rc=$?
  sleep 0.2 # let a background state check (sscheck.sh) record its verdict
  if [ -s "$out/$name.fail" ]; then cat "$out/$name.fail" >> "$out/$name.log"; [ $rc = 0 ] && rc=3; fi
  [ -s "$out/$name.fail.late" ] && cat "$out/$name.fail.late" >> "$out/$name.log"
  if [ $rc = 0 ]; then r=PASS; else r=FAIL; fi
  echo "$r $name rc=$rc $(( $(date +%s) - start )) s" >> "$out/results.txt"
  exit 0
fi

jobs=4
if [ "${1:-}" = -j ]; then jobs=$2; shift 2; fi
out=${1:?usage: run.sh [-j N] <out dir> <file.pkt>...}
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/results.txt"
for f in "$@"; do (cd "$(dirname "$f")" && echo "$(pwd)/$(basename "$f")"); done |
  xargs -P "$jobs" -I{} "$here/run.sh" --one "$out" {}
sort -k2 "$out/results.txt"
