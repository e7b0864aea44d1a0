#!/usr/bin/env bash
# The side-by-side SMTP benchmark: every workload with every client, in one run, median of 3, against
# Postfix's smtp-sink on 127.0.0.1 (and stunnel4 in front of it for implicit TLS). Prints one Markdown
# table (messages per second, each of ours as a ratio to the best peer), then memory and CPU figures.
#
# Clients: Postfix smtp-source (C), Go net/smtp (scripts/bench/go-smtp), Python smtplib, nodemailer with
# TCP_NODELAY (Debian's node-nodemailer), and ours: composed (a MIME message per send), raw (one message
# composed once, as smtp-source sends one blob) and the connector path (--config, pooled).
#
# Then the cost of events: the connector path with no event handler (the default), with a handler that
# only counts (--count-events) and with --events printing JSON lines, runs interleaved.
#
# Usage: scripts/bench-smtp.sh [RUNS] [events|roundtrips]   (as root it installs postfix, stunnel4, golang-go,
#        node-nodemailer and starts the test suite's private Postfix for the STARTTLS + AUTH rows)
#        the second argument `events` (or `roundtrips`) runs that section alone;
#        BASELINE=PATH adds an older smtp-connector binary (before events) to that section.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
ONLY=${2:-all}
SIZE=2048

if [ "$(id -u)" = 0 ]; then
    missing=()
    for package in postfix sasl2-bin libsasl2-modules stunnel4 golang-go nodejs node-nodemailer python3 openssl time; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    fi
fi
for tool in smtp-sink smtp-source stunnel4 go node; do
    command -v "$tool" >/dev/null || { echo "bench-smtp: $tool is missing (run as root to install it)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/bench-smtp.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

echo "bench-smtp: building (release)" >&2
swift build -c release --product smtp-connector >/dev/null
ours=$(swift build -c release --show-bin-path)/smtp-connector
(cd scripts/bench/go-smtp && GOFLAGS=-mod=mod go build -o "$work/go-smtp" .)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# smtp-sink: accepts and discards; -c counts, 1000 is the backlog.
port=$(free_port)
user=$([ "$(id -u)" = 0 ] && echo "-u nobody" || echo "")
smtp-sink $user -c "127.0.0.1:$port" 1000 >/dev/null 2>&1 &
pids+=($!)
# stunnel4 in front of it: implicit TLS with a certificate for localhost.
tls_port=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
cat > "$work/stunnel.conf" <<CONF
foreground = yes
pid =
[smtps]
accept = 127.0.0.1:$tls_port
connect = 127.0.0.1:$port
cert = $work/cert.pem
key = $work/key.pem
CONF
stunnel4 "$work/stunnel.conf" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$tls_port),1); socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null && break
    sleep 0.1
done

# The private Postfix instance of the test suite (scripts/postfix-test-env.sh: its own config,
# queue and ports; the machine's Postfix is never touched), for the STARTTLS + AUTH workload and the
# round trips. A user with an ASCII password, since Python's smtplib cannot send any other.
if [ "$(id -u)" = 0 ]; then
    scripts/postfix-test-env.sh start > "$work/postfix.env"
    # shellcheck disable=SC1091
    source "$work/postfix.env"
    cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
                scripts/postfix-test-env.sh stop "$POSTFIX_TEST_DIR"; rm -rf "$work"; }
    printf '%s' 'bench-password-1' | saslpasswd2 -f "$POSTFIX_TEST_DIR/etc/sasldb2" -p -c -u example.test bench
    export SMTP_BENCH_PASSWORD=bench-password-1
fi
bench_user=bench@example.test

# Connector configs for workload e: implicit TLS through stunnel, pooled; and the same in plaintext.
python3 - "$tls_port" "$work/cert.pem" "$port" "$work" <<'PY'
import json, sys
templates = [{"usageType": t, "contentType": "text/plain", "subject": "Your code", "content": "Your code is {{code}}.\n" + "x" * 1800}
             for t in ("SignIn", "Register", "ForgotPassword", "Generic")]
tls = {"host": "127.0.0.1", "port": int(sys.argv[1]), "secure": True, "fromEmail": "bench@example.test",
       "tls": {"ca": open(sys.argv[2]).read(), "servername": "localhost"}, "pool": True, "templates": templates}
plain = {"host": "127.0.0.1", "port": int(sys.argv[3]), "ignoreTLS": True, "fromEmail": "bench@example.test", "pool": True,
         "templates": templates}
json.dump(tls, open(sys.argv[4] + "/connector.json", "w"))
json.dump(plain, open(sys.argv[4] + "/connector-plain.json", "w"))
PY

# rate N COMMAND...: messages per second of one run (from its inner_s, or wall time for smtp-source).
rate() {
    local count=$1; shift
    local out start end
    if [ "$1" = smtp-source ]; then
        start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
        python3 -c "print(round($count / ($end - $start)))"
    else
        out=$("$@" 2>/dev/null | tail -1)
        case "$out" in
            "sent=$count errors=0 "*) python3 -c "print(round($count / float('${out##*inner_s=}')))" ;;
            *) echo "bench-smtp: $* -> $out" >&2; echo 0 ;;
        esac
    fi
}
median() { local values=(); for _ in $(seq 1 "$RUNS"); do values+=("$(rate "$@")"); done; printf '%s\n' "${values[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }

plain=(--host 127.0.0.1 --port "$port")
secure=(--host 127.0.0.1 --port "$tls_port" --secure --ca "$work/cert.pem")  # the certificate names 127.0.0.1 too
go_plain=("$work/go-smtp" -addr "127.0.0.1:$port" -size $SIZE)
go_tls=("$work/go-smtp" -addr "127.0.0.1:$tls_port" -tls -ca "$work/cert.pem" -size $SIZE)
py_plain=(python3 scripts/bench/python-smtp.py --port "$port" --size $SIZE)
py_tls=(python3 scripts/bench/python-smtp.py --port "$tls_port" --tls --ca "$work/cert.pem" --size $SIZE)
export NODE_PATH=/usr/share/nodejs
node_plain=(node scripts/bench/nodemailer-smtp.js --port="$port" --size=$SIZE)
node_tls=(node scripts/bench/nodemailer-smtp.js --port="$tls_port" --tls --ca="$work/cert.pem" --size=$SIZE)

# workload: name count connections fresh(0/1) tls(0/1)
# Interleaved runs: every client of a row runs once per round, RUNS rounds, so that drift on a shared
# machine (runs here vary by 10-30%) hits every client alike; then the median of each.
# queue N COMMAND...: adds a client to the row; run_queued: prints the medians in order.
queued=()
queue() { local line; printf -v line '%q ' "$@"; queued+=("$line"); }
run_queued() {
    local -a results=()
    local round index
    for ((round = 0; round < RUNS; round++)); do
        for index in "${!queued[@]}"; do results[index]+="$(eval "rate ${queued[index]}") "; done
    done
    for index in "${!queued[@]}"; do
        # shellcheck disable=SC2086
        printf '%s\n' ${results[index]} | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
    done
}

row() {
    local name=$1 n=$2 c=$3 fresh=$4 tls=$5
    local f_ours=() f_go=() f_py=() f_node=() f_src=(-d)
    [ "$fresh" = 1 ] && { f_ours=(--fresh); f_go=(-fresh); f_py=(--fresh); f_node=(--fresh); f_src=(); }
    local src="—" go py node composed raw medians
    echo "bench-smtp: workload $name" >&2
    # The same clients either way; smtp-source speaks no TLS.
    local go_cmd=("${go_plain[@]}") py_cmd=("${py_plain[@]}") node_cmd=("${node_plain[@]}") target=("${plain[@]}")
    [ "$tls" = 1 ] && { go_cmd=("${go_tls[@]}"); py_cmd=("${py_tls[@]}"); node_cmd=("${node_tls[@]}"); target=("${secure[@]}"); }
    [ "$tls" = 0 ] && queue "$n" smtp-source "${f_src[@]}" -s "$c" -m "$n" -l $SIZE "127.0.0.1:$port"
    queue "$n" "${go_cmd[@]}" -n "$n" -c "$c" "${f_go[@]}"
    queue "$n" "${py_cmd[@]}" -n "$n" -c "$c" "${f_py[@]}"
    queue "$n" "${node_cmd[@]}" --n="$n" --c="$c" "${f_node[@]}"
    queue "$n" "$ours" bench "${target[@]}" --messages "$n" --connections "$c" --size $SIZE "${f_ours[@]}"
    queue "$n" "$ours" bench "${target[@]}" --messages "$n" --connections "$c" --size $SIZE --raw "${f_ours[@]}"
    mapfile -t medians < <(run_queued); queued=()  # (run_queued ran in a subshell)
    [ "$tls" = 0 ] && { src=${medians[0]}; medians=("${medians[@]:1}"); }
    go=${medians[0]}; py=${medians[1]}; node=${medians[2]}; composed=${medians[3]}; raw=${medians[4]}
    local best
    best=$(printf '%s\n' "$src" "$go" "$py" "$node" | grep -v '—' | sort -n | tail -1)
    ratio() { python3 -c "print(f'{$1 / $best:.2f}x')"; }
    vs_go() { python3 -c "print(f'{$1 / $go:.2f}x')"; }
    echo "| $name | $src | $go | $py | $node | $composed ($(ratio "$composed"); $(vs_go "$composed") Go) | $raw ($(ratio "$raw"); $(vs_go "$raw") Go) |"
}

# postfix_row: workload d with STARTTLS + AUTH PLAIN against Postfix's smtpd (submission on 587 as
# Gmail, SendGrid and Aliyun run it). smtp-source speaks neither STARTTLS nor AUTH.
postfix_row() {
    local n=200
    echo "bench-smtp: workload d, STARTTLS + AUTH against Postfix" >&2
    local ca=$POSTFIX_TEST_CA p=$POSTFIX_TEST_PORT go py node composed raw best medians
    local ours_args=(bench --host 127.0.0.1 --port "$p" --starttls --ca "$ca" --user "$bench_user" --messages "$n" --connections 1 --size $SIZE --fresh)
    queue "$n" "$work/go-smtp" -addr "127.0.0.1:$p" -starttls -ca "$ca" -user "$bench_user" -size $SIZE -n "$n" -c 1 -fresh
    queue "$n" python3 scripts/bench/python-smtp.py --port "$p" --starttls --ca "$ca" --user "$bench_user" --size $SIZE -n "$n" -c 1 --fresh
    queue "$n" node scripts/bench/nodemailer-smtp.js --port="$p" --starttls --ca="$ca" --user="$bench_user" --size=$SIZE --n="$n" --c=1 --fresh
    queue "$n" "$ours" "${ours_args[@]}"
    queue "$n" "$ours" "${ours_args[@]}" --raw
    mapfile -t medians < <(run_queued); queued=()  # (run_queued ran in a subshell)
    go=${medians[0]}; py=${medians[1]}; node=${medians[2]}; composed=${medians[3]}; raw=${medians[4]}
    best=$(printf '%s\n' "$go" "$py" "$node" | sort -n | tail -1)
    ratio() { python3 -c "print(f'{$1 / $best:.2f}x')"; }
    vs_go() { python3 -c "print(f'{$1 / $go:.2f}x')"; }
    echo "| d: the same with STARTTLS + AUTH PLAIN, Postfix smtpd | — | $go | $py | $node | $composed ($(ratio "$composed"); $(vs_go "$composed") Go) | $raw ($(ratio "$raw"); $(vs_go "$raw") Go) |"
}

# Round trips: every client sends SENDS messages, one fresh connection each, through
# scripts/bench/latency-proxy.py, which delays every chunk by DELAY ms each way (a round trip costs
# 2*DELAY). The proxy counts the server's flights (each one a wait of the client's) and times each
# connection; the table gives the median of the flights and p50/p99 of the latency.
SENDS=50
DELAY=10
roundtrip_cell() {
    local target=$1; shift
    local proxy_port log
    proxy_port=$(free_port)
    log="$work/latency-$proxy_port.jsonl"
    python3 scripts/bench/latency-proxy.py --listen "$proxy_port" --target "$target" --delay-ms $DELAY --log "$log" &
    local proxy=$!
    for _ in $(seq 1 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$proxy_port),1).close()" 2>/dev/null && break; sleep 0.1; done
    sleep 0.3; rm -f "$log"  # the readiness probe's record
    "${@//PORT/$proxy_port}" >/dev/null 2>&1 || true
    sleep $(python3 -c "print(4 * $DELAY / 1000)")  # the last connection's close travels through the delays
    kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null || true
    python3 - "$log" "$SENDS" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])] if __import__("os").path.exists(sys.argv[1]) else []
if len(rows) < int(sys.argv[2]):
    print(f"failed ({len(rows)} of {sys.argv[2]})"); sys.exit()
ms = sorted(r["ms"] for r in rows)
flights = statistics.median(r["server_flights"] for r in rows)
print(f"{flights:g} RT, p50 {ms[len(ms) // 2]:.0f} ms, p99 {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.0f} ms")
PY
}
roundtrips() {
    echo "bench-smtp: round trips" >&2
    local ca=$POSTFIX_TEST_CA u=$bench_user n=$SENDS
    echo "| one send per fresh connection, $SENDS sends, ${DELAY} ms each way | smtp-source (C) | Go net/smtp | Python smtplib | nodemailer + NODELAY | ours |"
    echo "|---|---|---|---|---|---|"
    local sink="127.0.0.1:$port" sub="127.0.0.1:$POSTFIX_TEST_PORT" smtps="127.0.0.1:$POSTFIX_TEST_TLS_PORT"
    echo "| plain, smtp-sink | $(roundtrip_cell "$sink" smtp-source -s 1 -m "$n" -l $SIZE 127.0.0.1:PORT) \
| $(roundtrip_cell "$sink" "$work/go-smtp" -addr 127.0.0.1:PORT -size $SIZE -n "$n" -c 1 -fresh) \
| $(roundtrip_cell "$sink" python3 scripts/bench/python-smtp.py --port PORT --size $SIZE -n "$n" -c 1 --fresh) \
| $(roundtrip_cell "$sink" node scripts/bench/nodemailer-smtp.js --port=PORT --size=$SIZE --n="$n" --c=1 --fresh) \
| $(roundtrip_cell "$sink" "$ours" bench --host 127.0.0.1 --port PORT --messages "$n" --connections 1 --size $SIZE --fresh) |"
    echo "| STARTTLS + AUTH PLAIN, Postfix | — \
| $(roundtrip_cell "$sub" "$work/go-smtp" -addr 127.0.0.1:PORT -starttls -ca "$ca" -user "$u" -size $SIZE -n "$n" -c 1 -fresh) \
| $(roundtrip_cell "$sub" python3 scripts/bench/python-smtp.py --port PORT --starttls --ca "$ca" --user "$u" --size $SIZE -n "$n" -c 1 --fresh) \
| $(roundtrip_cell "$sub" node scripts/bench/nodemailer-smtp.js --port=PORT --starttls --ca="$ca" --user="$u" --size=$SIZE --n="$n" --c=1 --fresh) \
| $(roundtrip_cell "$sub" "$ours" bench --host 127.0.0.1 --port PORT --starttls --ca "$ca" --user "$u" --messages "$n" --connections 1 --size $SIZE --fresh) |"
    echo "| implicit TLS + AUTH PLAIN, Postfix | — \
| $(roundtrip_cell "$smtps" "$work/go-smtp" -addr 127.0.0.1:PORT -tls -ca "$ca" -user "$u" -size $SIZE -n "$n" -c 1 -fresh) \
| $(roundtrip_cell "$smtps" python3 scripts/bench/python-smtp.py --port PORT --tls --ca "$ca" --user "$u" --size $SIZE -n "$n" -c 1 --fresh) \
| $(roundtrip_cell "$smtps" node scripts/bench/nodemailer-smtp.js --port=PORT --tls --ca="$ca" --user="$u" --size=$SIZE --n="$n" --c=1 --fresh) \
| $(roundtrip_cell "$smtps" "$ours" bench --host 127.0.0.1 --port PORT --secure --ca "$ca" --user "$u" --messages "$n" --connections 1 --size $SIZE --fresh) |"
    warm_path
}

# The warm path: the connector path (--config, pool off) with keepAlive, STARTTLS + AUTH PLAIN through
# the same proxy. The first send opens the connection; the next ones within keepAlive reuse it.
warm_path() {
    python3 - "$POSTFIX_TEST_CA" "$work/warm.json" <<'PY'
import json, sys
templates = [{"usageType": t, "contentType": "text/plain", "subject": "Your code", "content": "Your code is {{code}}.\n" + "x" * 1800}
             for t in ("SignIn", "Register", "ForgotPassword", "Generic")]
json.dump({"host": "127.0.0.1", "port": 25, "requireTLS": True, "fromEmail": "bench@example.test",
           "auth": {"user": "bench@example.test", "pass": "bench-password-1", "method": "PLAIN"}, "keepAlive": 10000,
           "tls": {"ca": open(sys.argv[1]).read(), "servername": "localhost"}, "templates": templates}, open(sys.argv[2], "w"))
PY
    local proxy_port log cold warm
    proxy_port=$(free_port)
    log="$work/warm-$proxy_port.jsonl"
    python3 scripts/bench/latency-proxy.py --listen "$proxy_port" --target "127.0.0.1:$POSTFIX_TEST_PORT" --delay-ms $DELAY --log "$log" &
    local proxy=$!
    for _ in $(seq 1 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1',$proxy_port),1).close()" 2>/dev/null && break; sleep 0.1; done
    cold=$("$ours" bench --config "$work/warm.json" --port "$proxy_port" --to sink@example.test --fresh --messages 1 --connections 1 --latency 2>&1 >/dev/null | grep '^latency' | sed 's/.*p50=\([0-9.]*\)ms.*/\1/')
    warm=$("$ours" bench --config "$work/warm.json" --port "$proxy_port" --to sink@example.test --fresh --messages "$SENDS" --connections 1 --latency 2>&1 >/dev/null | grep '^latency' | sed 's/.*p50=\([0-9.]*\)ms p90=[0-9.]*ms p99=\([0-9.]*\)ms.*/\1 \2/')
    kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null || true
    echo
    echo "warm path (keepAlive 10 s, pool off, STARTTLS + AUTH PLAIN, Postfix, same proxy): first send ${cold} ms; $SENDS sends in a row: p50 ${warm% *} ms, p99 ${warm#* } ms"
}

# events: the connector path with no handler, a counting handler and --events, interleaved run by run
# so that drift on a shared machine hits all three alike; medians of RUNS. With BASELINE=/path/to/an
# older smtp-connector (built before events existed), its no-handler runs join the rotation.
events_header() {
    if [ -n "${BASELINE:-}" ]; then
        echo "| connector path, msg/s, median of $RUNS | before events (BASELINE) | no handler (default) | counting handler | --events (JSON lines) |"
        echo "|---|---|---|---|---|"
    else
        echo "| connector path, msg/s, median of $RUNS | no handler (default) | counting handler | --events (JSON lines) |"
        echo "|---|---|---|---|"
    fi
}
events_section() {
    local name=$1 config=$2 n=$3 c=$4
    local base=() none=() count=() print=()
    echo "bench-smtp: events, $name" >&2
    for _ in $(seq 1 "$RUNS"); do
        [ -n "${BASELINE:-}" ] && base+=("$(rate "$n" "$BASELINE" bench --config "$config" --messages "$n" --connections "$c")")
        none+=("$(rate "$n" "$ours" bench --config "$config" --messages "$n" --connections "$c")")
        count+=("$(rate "$n" "$ours" bench --config "$config" --messages "$n" --connections "$c" --count-events)")
        print+=("$(rate "$n" "$ours" bench --config "$config" --messages "$n" --connections "$c" --events)")
    done
    mid() { printf '%s\n' "$@" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
    local a b p
    a=$(mid "${none[@]}"); b=$(mid "${count[@]}"); p=$(mid "${print[@]}")
    local ratios="| $b ($(python3 -c "print(f'{$b / $a:.2f}x')")) | $p ($(python3 -c "print(f'{$p / $a:.2f}x')")) |"
    if [ -n "${BASELINE:-}" ]; then
        local z; z=$(mid "${base[@]}")
        echo "| $name | $z (runs: ${base[*]}) | $a ($(python3 -c "print(f'{$a / $z:.2f}x')"); runs: ${none[*]}) $ratios"
    else
        echo "| $name | $a (runs: ${none[*]}) $ratios"
    fi
}
if [ "$ONLY" = roundtrips ]; then
    roundtrips
    exit 0
fi
if [ "$ONLY" = events ]; then
    events_header
    events_section "e: 2000 sends, implicit TLS, 1 connection" "$work/connector.json" 2000 1
    events_section "e plain: 4000 sends, 4 connections" "$work/connector-plain.json" 4000 4
    exit 0
fi

echo "| workload ($SIZE-byte messages, msg/s, median of $RUNS interleaved runs) | smtp-source (C) | Go net/smtp | Python smtplib | nodemailer + NODELAY | ours, composed (vs best peer; vs Go) | ours, raw (vs best peer; vs Go) |"
echo "|---|---|---|---|---|---|---|"
row "a: 2000 msgs, 1 connection, plain" 2000 1 0 0
row "b: 2000 msgs, 4 connections, plain" 2000 4 0 0
row "c: 500 msgs, 1 connection, implicit TLS" 500 1 0 1
row "d: 200 msgs, a fresh connection each, plain" 200 1 1 0
row "d: the same over implicit TLS" 200 1 1 1
[ -n "${POSTFIX_TEST_PORT:-}" ] && postfix_row
echo "bench-smtp: workload e" >&2
connector=$(median 2000 "$ours" bench --config "$work/connector.json" --messages 2000 --connections 1)
echo
echo "e: the connector path (--config, implicit TLS, pooled, 1 connection, 2000 sends of the Generic template): $connector msg/s"

echo "bench-smtp: memory and CPU" >&2
measure() { python3 scripts/bench/measure.py "$@"; }
m10=$(measure "$ours" bench "${plain[@]}" --messages 10000 --connections 4 --size $SIZE)
m100=$(measure "$ours" bench "${plain[@]}" --messages 100000 --connections 4 --size $SIZE)
echo "peak RSS, b composed: 10,000 messages $(echo "$m10" | cut -d' ' -f4) KB; 100,000 messages $(echo "$m100" | cut -d' ' -f4) KB"
cpu_ours=$(measure "$ours" bench "${plain[@]}" --messages 20000 --connections 1 --size $SIZE --raw)
cpu_src=$(measure smtp-source -d -s 1 -m 20000 -l $SIZE "127.0.0.1:$port")
per() { python3 -c "w,u,s=map(float,'$1'.split()[:3]); print(f'{(u+s)/20000*1e6:.0f} µs')"; }
echo "CPU per message (user + system), 20,000 messages, 1 connection, raw: ours $(per "$cpu_ours"), smtp-source $(per "$cpu_src")"

echo
[ -n "${POSTFIX_TEST_PORT:-}" ] && roundtrips
echo
events_header
events_section "e: 2000 sends, implicit TLS, 1 connection" "$work/connector.json" 2000 1
events_section "e plain: 4000 sends, 4 connections" "$work/connector-plain.json" 4000 4
