#!/bin/sh
# Test rig: real IPP printers (ippeveprinter) and a private cupsd on loopback.
#
#   printers.sh start DIR      start everything under DIR; prints shell
#                              variables (also kept in DIR/rig.env)
#   printers.sh stop DIR       stop everything started under DIR
#   printers.sh kill-eve DIR N kill printer N (1 or 2) with SIGKILL
#   printers.sh start-eve DIR N start printer N again on its old port
#   printers.sh env DIR        print the variables again
#   printers.sh ensure DIR     back to normal after a fault test: dead
#                              printers restarted, fault files removed,
#                              queues enabled and accepting
#
# Variables: RIG_DIR, RIG_DBUS (DBUS_SYSTEM_BUS_ADDRESS value),
# EVE1_PORT EVE1_URI EVE2_PORT EVE2_URI (direct ipp:// URIs),
# CUPS_PORT CUPS_SERVER (127.0.0.1:PORT), Q_EVERYWHERE (IPP Everywhere
# queue to printer 2), Q_RAW (raw queue to printer 1).
# Each printer keeps what it receives in DIR/recv/eveN/job-ID.pdf with the
# job's IPP_* environment in job-ID.env. Fault hooks read by the sink:
#   DIR/faults/eveN.hold   a job waits (<= 30 s) while this file exists
#   DIR/faults/eveN.fail   a job fails (sink exits 1)
#   DIR/faults/eveN.media-empty  a job reports media-empty-error and waits
#                          (<= 30 s) while this file exists
# DIR must be reachable by user lp (cupsd runs filters as lp).
set -u

die() { echo "printers.sh: $*" >&2; exit 1; }

free_port() {
	perl -MIO::Socket::INET -e \
	  'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, ReuseAddr => 1) or die; print $s->sockport, "\n";'
}

# wait_ipp URI [PID]: polls Get-Printer-Attributes until the printer
# answers (<= 10 s); gives up at once if process PID has died.
wait_ipp() {
	i=0
	while [ $i -lt 200 ]; do
		ipptool -q -T 1 "$1" "$RIG_DIR/ready.test" >/dev/null 2>&1 && return 0
		[ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && return 1
		i=$((i + 1))
		sleep 0.05
	done
	return 1
}

# An IPP answer, even "not found" (a cupsd without that queue yet), means ready.
write_ready_test() {
	cat >"$RIG_DIR/ready.test" <<'TEST'
{
	NAME "ready"
	OPERATION Get-Printer-Attributes
	GROUP operation-attributes-tag
	ATTR charset attributes-charset utf-8
	ATTR naturalLanguage attributes-natural-language en
	ATTR uri printer-uri $uri
	ATTR keyword requested-attributes printer-state
	STATUS successful-ok
	STATUS client-error-not-found
}
TEST
}

write_label_conf() {
	cat >"$RIG_DIR/label.conf" <<'CONF'
ATTR mimeMediaType document-format-supported application/pdf,application/octet-stream
ATTR keyword media-supported na_index-4x6_4x6in,oe_4x4-label_4x4in,na_letter_8.5x11in
ATTR keyword media-default na_index-4x6_4x6in
ATTR keyword media-ready na_index-4x6_4x6in
ATTR rangeOfInteger copies-supported 1-999
ATTR integer copies-default 1
CONF
}

write_sink() {
	cat >"$RIG_DIR/sink.sh" <<'SINK'
#!/bin/sh
# ippeveprinter print command: keep the document and the job's attributes.
# $1 = spool file; RIG_DIR and RIG_NAME come from the printer's environment.
d="$RIG_DIR/recv/$RIG_NAME"
mkdir -p "$d"
id=$(basename "$1" | sed -E 's/^([0-9]+).*/\1/')
env | grep '^IPP_' | sort >"$d/job-$id.env.tmp"
cp "$1" "$d/job-$id.pdf.tmp"
n=0
# Out of labels: the printer says so (STATE: lines, as CUPS filters do)
# and waits until someone reloads it.
if [ -e "$RIG_DIR/faults/$RIG_NAME.media-empty" ]; then
	echo "STATE: +media-empty-error" >&2
	while [ -e "$RIG_DIR/faults/$RIG_NAME.media-empty" ] && [ $n -lt 600 ]; do
		sleep 0.05; n=$((n + 1))
	done
	echo "STATE: -media-empty-error" >&2
fi
while [ -e "$RIG_DIR/faults/$RIG_NAME.hold" ] && [ $n -lt 600 ]; do
	sleep 0.05; n=$((n + 1))
done
if [ -e "$RIG_DIR/faults/$RIG_NAME.fail" ]; then
	echo "ERROR: fault injected" >&2
	exit 1
fi
mv "$d/job-$id.env.tmp" "$d/job-$id.env"
mv "$d/job-$id.pdf.tmp" "$d/job-$id.pdf"
exit 0
SINK
	chmod 755 "$RIG_DIR/sink.sh"
}

start_eve() {
	n=$1
	eval port=\$EVE${n}_PORT
	mkdir -p "$RIG_DIR/eve$n" "$RIG_DIR/recv/eve$n"
	rm -rf "$RIG_DIR/eve$n/spool"
	mkdir -p "$RIG_DIR/eve$n/spool"
	# Printer 1 is a 4x6 label printer, printer 2 an ordinary sheet printer.
	if [ "$n" = 1 ]; then kind="-a $RIG_DIR/label.conf"; else kind="-f application/pdf"; fi
	# setsid: a test harness that kills its process group (Check's fork
	# mode does) must not take a printer restarted from a test with it.
	DBUS_SYSTEM_BUS_ADDRESS="$RIG_DBUS" RIG_DIR="$RIG_DIR" RIG_NAME="eve$n" \
	    setsid ippeveprinter -r off -n localhost -p "$port" -d "$RIG_DIR/eve$n/spool" \
	    -k -c "$RIG_DIR/sink.sh" $kind "eve$n" \
	    >"$RIG_DIR/eve$n/log" 2>&1 </dev/null &
	echo $! >"$RIG_DIR/eve$n/pid"
	wait_ipp "ipp://localhost:$port/ipp/print" $! || die "printer eve$n did not start"
}

# alive PID: running (a zombie whose parent does not reap it counts as gone).
alive() {
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case "$st" in Z*|"") return 1 ;; esac
	return 0
}

kill_pidfile() {
	[ -f "$1" ] || return 0
	p=$(cat "$1")
	kill -"${2:-TERM}" "$p" 2>/dev/null
	i=0
	while alive "$p" && [ $i -lt 100 ]; do
		sleep 0.02; i=$((i + 1))
	done
	kill -KILL "$p" 2>/dev/null
	rm -f "$1"
}

write_cupsd_conf() {
	c="$RIG_DIR/cups"
	mkdir -p "$c/etc/ppd" "$c/etc/ssl" "$c/cache" "$c/log" "$c/spool/tmp" "$c/run"
	cat >"$c/cupsd.conf" <<CONF
Listen 127.0.0.1:$CUPS_PORT
Listen $c/run/cups.sock
Browsing No
LogLevel warn
JobRetryInterval 1
ErrorPolicy retry-job
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
CONF
	cat >"$c/cups-files.conf" <<CONF
User lp
Group lp
SystemGroup root
FileDevice Yes
ServerRoot $c/etc
CacheDir $c/cache
StateDir $c/run
RequestRoot $c/spool
TempDir $c/spool/tmp
AccessLog $c/log/access_log
ErrorLog $c/log/error_log
PageLog $c/log/page_log
CONF
	chown -R lp "$c/spool" "$c/cache" 2>/dev/null
}

start_cupsd() {
	c="$RIG_DIR/cups"
	setsid cupsd -f -c "$c/cupsd.conf" -s "$c/cups-files.conf" >"$c/log/stderr" 2>&1 </dev/null &
	echo $! >"$c/pid"
	wait_ipp "ipp://127.0.0.1:$CUPS_PORT/" $! || { cat "$c/log/stderr" "$c/log/error_log" >&2 2>/dev/null; die "cupsd did not start"; }
}

# Queues are made in one lpadmin call each: modifying an IPP Everywhere
# queue right after creating it crashed cupsd 2.4.2 now and then.
add_queues() {
	lpadmin -h "$CUPS_SERVER" -p "$Q_RAW" -E -v "ipp://localhost:$EVE1_PORT/ipp/print" \
	    || die "lpadmin raw failed"
	lpadmin -h "$CUPS_SERVER" -p "$Q_EVERYWHERE" -E \
	    -v "ipp://localhost:$EVE2_PORT/ipp/print" -m everywhere \
	    || die "lpadmin everywhere failed"
	wait_ipp "ipp://127.0.0.1:$CUPS_PORT/printers/$Q_EVERYWHERE" || die "queue not ready"
}

print_env() {
	cat "$RIG_DIR/rig.env"
}

cmd_start() {
	mkdir -p "$RIG_DIR/faults" "$RIG_DIR/recv" || die "cannot create $RIG_DIR"
	chmod 755 "$RIG_DIR"
	RIG_DBUS="unix:path=$RIG_DIR/dbus.sock"
	dbus-daemon --session --address="$RIG_DBUS" --fork --print-pid >"$RIG_DIR/dbus.pid" \
	    2>"$RIG_DIR/dbus.log" || die "dbus-daemon failed"
	EVE1_PORT=$(free_port); EVE2_PORT=$(free_port); CUPS_PORT=$(free_port)
	while [ "$EVE2_PORT" = "$EVE1_PORT" ]; do EVE2_PORT=$(free_port); done
	while [ "$CUPS_PORT" = "$EVE1_PORT" ] || [ "$CUPS_PORT" = "$EVE2_PORT" ]; do CUPS_PORT=$(free_port); done
	CUPS_SERVER="127.0.0.1:$CUPS_PORT"
	Q_EVERYWHERE=rig_everywhere
	Q_RAW=rig_raw
	cat >"$RIG_DIR/rig.env" <<VARS
RIG_DIR='$RIG_DIR'
RIG_DBUS='$RIG_DBUS'
EVE1_PORT=$EVE1_PORT
EVE1_URI='ipp://localhost:$EVE1_PORT/ipp/print'
EVE2_PORT=$EVE2_PORT
EVE2_URI='ipp://localhost:$EVE2_PORT/ipp/print'
CUPS_PORT=$CUPS_PORT
CUPS_SERVER='$CUPS_SERVER'
Q_EVERYWHERE='$Q_EVERYWHERE'
Q_RAW='$Q_RAW'
VARS
	write_ready_test
	write_sink
	write_label_conf
	start_eve 1
	start_eve 2
	write_cupsd_conf
	start_cupsd
	add_queues
	print_env
}

cmd_stop() {
	[ -f "$RIG_DIR/rig.env" ] || return 0
	kill_pidfile "$RIG_DIR/cups/pid"
	kill_pidfile "$RIG_DIR/eve1/pid"
	kill_pidfile "$RIG_DIR/eve2/pid"
	kill_pidfile "$RIG_DIR/dbus.pid"
}

[ $# -ge 2 ] || die "usage: printers.sh start|stop|env|kill-eve|start-eve DIR [N]"
cmd=$1
RIG_DIR=$(cd "$2" 2>/dev/null && pwd) || { mkdir -p "$2" && RIG_DIR=$(cd "$2" && pwd); } || die "bad DIR"
case "$cmd" in
start) cmd_start ;;
stop) cmd_stop ;;
env) print_env ;;
kill-eve)
	[ $# -ge 3 ] || die "kill-eve DIR N"
	. "$RIG_DIR/rig.env"
	# The printer and its running print command die together, as a power cut.
	kids=$(pgrep -P "$(cat "$RIG_DIR/eve$3/pid" 2>/dev/null)" 2>/dev/null)
	[ -n "$kids" ] && kill -KILL $kids 2>/dev/null
	kill_pidfile "$RIG_DIR/eve$3/pid" KILL
	rm -f "$RIG_DIR"/recv/eve"$3"/*.tmp ;;
start-eve)
	[ $# -ge 3 ] || die "start-eve DIR N"
	. "$RIG_DIR/rig.env"; start_eve "$3" ;;
ensure)
	. "$RIG_DIR/rig.env"
	rm -f "$RIG_DIR"/faults/*
	for n in 1 2; do
		p=$(cat "$RIG_DIR/eve$n/pid" 2>/dev/null)
		if [ -z "$p" ] || ! alive "$p"; then start_eve $n; fi
	done
	cupsenable -h "$CUPS_SERVER" "$Q_RAW" "$Q_EVERYWHERE" &&
	cupsaccept -h "$CUPS_SERVER" "$Q_RAW" "$Q_EVERYWHERE" || die "cannot reset queues" ;;
*) die "unknown command $cmd" ;;
esac
