#!/bin/sh
# What `defaults.sh` means in our scripts: the Linux settings the simulated stack models
# (stack/pktdrill/README.md, "Shell lines"), applied to this network namespace only.
sysctl -q net.ipv4.tcp_timestamps=1 net.ipv4.tcp_syn_retries=5 net.ipv4.tcp_synack_retries=5 \
  net.ipv4.tcp_sack=1 net.ipv4.tcp_ecn=0 net.ipv4.tcp_fastopen=3 net.ipv4.tcp_syncookies=1 \
  net.ipv4.tcp_slow_start_after_idle=0
