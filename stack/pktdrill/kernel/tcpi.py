#!/usr/bin/env python3
# packetdrill's --code_command: runs the generated Python with our runner's TCPI_<state> names
# (upstream packetdrill defines them as TCP_<state>).
import sys
g = dict(TCPI_ESTABLISHED=1, TCPI_SYN_SENT=2, TCPI_SYN_RECV=3, TCPI_FIN_WAIT1=4, TCPI_FIN_WAIT2=5,
         TCPI_TIME_WAIT=6, TCPI_CLOSE=7, TCPI_CLOSE_WAIT=8, TCPI_LAST_ACK=9, TCPI_LISTEN=10,
         TCPI_CLOSING=11, __name__='__main__')
exec(compile(open(sys.argv[1]).read(), sys.argv[1], 'exec'), g)
