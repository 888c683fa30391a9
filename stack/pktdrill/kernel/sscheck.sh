#!/bin/sh
# usage: sscheck TCPI_STATE REMOTEPORT|-
# Checks at once; if the state is not there yet, keeps looking in the background for up to
# $SS_TOLERANCE seconds (kernel timers have slack: the timer wheel fires a 60 s timer up to ~2 s
# late) and records a failure in $PD_FAILFILE, so the script's own timing is not disturbed.
want=$1; port=$2
case $want in
 TCPI_ESTABLISHED) s=ESTAB;; TCPI_SYN_SENT) s=SYN-SENT;; TCPI_SYN_RECV) s=SYN-RECV;;
 TCPI_FIN_WAIT1|TCPI_FIN_WAIT_1) s=FIN-WAIT-1;; TCPI_FIN_WAIT2|TCPI_FIN_WAIT_2) s=FIN-WAIT-2;;
 TCPI_TIME_WAIT) s=TIME-WAIT;; TCPI_CLOSE|TCPI_CLOSED) s=CLOSE;; TCPI_CLOSE_WAIT) s=CLOSE-WAIT;;
 TCPI_LAST_ACK) s=LAST-ACK;; TCPI_LISTEN) s=LISTEN;; TCPI_CLOSING) s=CLOSING;; *) echo "sscheck: $want?" >&2; exit 2;;
esac
check() {
  all=$(ss -tanH state all)
  if [ "$s" = LISTEN ]; then
    echo "$all" | awk '$1=="LISTEN" && $4 ~ /:8080$/' | grep -q .; return
  fi
  if [ "$port" = - ]; then
    cand=$(echo "$all" | awk '$1!="LISTEN" && $1!="UNCONN" && ($4 ~ /:8080$/ || $5 ~ /:8080$/)')
  else
    cand=$(echo "$all" | awk -v p=":$port" '$1!="LISTEN" && $1!="UNCONN" && (substr($5, length($5)-length(p)+1)==p || substr($4, length($4)-length(p)+1)==p)')
  fi
  if [ "$s" = CLOSE ]; then [ -z "$cand" ]; return; fi
  echo "$cand" | awk -v s="$s" '$1==s' | grep -q .
}
check && exit 0
first="$cand"
pd=$(ps -o ppid= -p $PPID | tr -d " ")
(
  end=$(( $(date +%s%N) / 1000000 + ${SS_TOLERANCE:-3} * 1000 ))
  while [ $(( $(date +%s%N) / 1000000 )) -lt $end ] && kill -0 "$pd" 2>/dev/null; do
    if check; then echo "sscheck: $want reached late (within tolerance)" >> "$PD_FAILFILE.late"; exit 0; fi
    sleep 0.02
  done
  echo "sscheck: want $want, ss: [$first] then [$cand]" >> "$PD_FAILFILE"
) > /dev/null 2>&1 &
exit 0
