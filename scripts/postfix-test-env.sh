#!/usr/bin/env bash
# Starts a private Postfix instance for the interop tests and prints `export NAME=value` lines for the
# test run. Usage (as root):
#   eval "$(scripts/postfix-test-env.sh start)"   ...   scripts/postfix-test-env.sh stop "$POSTFIX_TEST_DIR"
#
# The instance lives entirely in a temporary folder (config, queue, data, log, SASL database, mail):
# `postfix -c DIR start`. The machine's own Postfix (/etc/postfix, /etc/sasldb2, its queue, its ports)
# is never written, started or stopped, so the tests run beside a mail server in production use.
# (Postfix's own tools still read the package's file list, /etc/postfix/postfix-files.)
#
# It listens on 127.0.0.1 only, on free ports:
#   POSTFIX_TEST_PORT       STARTTLS offered (smtpd_tls_security_level=may), AUTH only after TLS
#   POSTFIX_TEST_TLS_PORT   implicit TLS (smtpd_tls_wrappermode=yes, like 465)
# Cyrus SASL (a sasldb in DIR) offers PLAIN, LOGIN and CRAM-MD5. Every recipient in example.test is
# delivered by Postfix's virtual agent into one Maildir, POSTFIX_TEST_MAILDIR.
set -euo pipefail

DOMAIN=example.test
SASL_USER=tester
# A password with non-ASCII characters: AUTH must carry UTF-8 intact.
SASL_PASS='pässwörd-测试-42'
# The virtual delivery agent writes mail as this account (it needs a uid of at least 100).
MAIL_UID=$(id -u nobody)
MAIL_GID=$(id -g nobody)

log() { echo "postfix-test-env: $*" >&2; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Stops the instance in DIR and removes DIR. Only a folder this script made (it holds our marker) is touched.
stop() {
    local dir=${1:-}
    [ -n "$dir" ] && [ -f "$dir/.smtp-connector-tests" ] || { log "stop: $dir is not a test instance"; return 0; }
    local pid=""
    [ -f "$dir/queue/pid/master.pid" ] && pid=$(tr -d ' ' < "$dir/queue/pid/master.pid")
    postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
    # The master process leaves after its children; wait for it before removing the queue under it,
    # and end it (its pid comes from our own pid file) if it does not leave in 5 seconds.
    for _ in $(seq 1 50); do
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        log "the private master ($pid) did not stop; killing it"
        kill -TERM "$pid" 2>/dev/null || true
        sleep 1
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    log "private postfix stopped and $dir removed"
}

start() {
    [ "$(id -u)" = 0 ] || { log "needs root to run Postfix (its daemons drop to the postfix user)"; exit 1; }
    command -v postfix >/dev/null && command -v saslpasswd2 >/dev/null || {
        log "postfix and sasl2-bin are not installed (apt-get install postfix sasl2-bin libsasl2-modules)"; exit 1; }
    local dir; dir=$(mktemp -d /tmp/smtp-connector-postfix.XXXXXX)
    touch "$dir/.smtp-connector-tests"
    # Any failing step below removes the half-made instance (its key and sasldb included).
    trap 'stop "$dir"' ERR
    chmod 755 "$dir"
    mkdir -p "$dir/etc/sasl" "$dir/queue" "$dir/data" "$dir/mail"
    chown postfix "$dir/data"
    chown "$MAIL_UID:$MAIL_GID" "$dir/mail"

    # A self-signed certificate for localhost and 127.0.0.1; the tests trust it through tls.ca.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/etc/key.pem" -out "$dir/etc/cert.pem" >/dev/null 2>&1
    chmod 600 "$dir/etc/key.pem"

    local port tls_port
    port=$(free_port); tls_port=$(free_port)
    while [ "$tls_port" = "$port" ]; do tls_port=$(free_port); done

    cat > "$dir/etc/main.cf" <<CONF
# A private instance for the smtp-connector tests (scripts/postfix-test-env.sh)
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = $dir
maillog_file = $dir/maillog
myhostname = mail.$DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = static:Maildir/
virtual_uid_maps = static:$MAIL_UID
virtual_gid_maps = static:$MAIL_GID
virtual_minimum_uid = 100
smtputf8_enable = yes
message_size_limit = 20480000
virtual_mailbox_limit = 0
smtpd_tls_cert_file = $dir/etc/cert.pem
smtpd_tls_key_file = $dir/etc/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_received_header = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $dir/etc/sasl
smtpd_sasl_security_options = noanonymous
# Postfix 3.9's default (off before): a client that pipelines where RFC 2920 or RFC 4954 forbid it
# (after EHLO, STARTTLS, or AUTH with a mechanism that may need another step) is disconnected.
smtpd_forbid_unauth_pipelining = yes
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
CONF

    # Every service without chroot: SASL must read the sasldb in $dir.
    cat > "$dir/etc/master.cf" <<CONF
127.0.0.1:$port inet n - n - - smtpd
127.0.0.1:$tls_port inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
local     unix - n n - - local
virtual   unix - n n - - virtual
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF

    cat > "$dir/etc/sasl/smtpd.conf" <<CONF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN CRAM-MD5
sasldb_path: $dir/etc/sasldb2
CONF
    printf '%s' "$SASL_PASS" | saslpasswd2 -f "$dir/etc/sasldb2" -p -c -u "$DOMAIN" "$SASL_USER"
    chown root:postfix "$dir/etc/sasldb2"
    chmod 640 "$dir/etc/sasldb2"

    # postfix prints its fatal errors only to a terminal, so on failure show the instance's log.
    if ! postfix -c "$dir/etc" check >&2 || ! postfix -c "$dir/etc" start >/dev/null 2>&1; then
        log "the private postfix did not start; its log:"; cat "$dir/maillog" >&2 2>/dev/null || true
        stop "$dir"; exit 1
    fi
    local ready=0
    for _ in $(seq 1 100); do
        if python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$port),1); sys.exit(0 if s.recv(100).startswith(b'220') else 1)" 2>/dev/null; then
            ready=1; break
        fi
        sleep 0.1
    done
    [ "$ready" = 1 ] || { log "the private postfix does not answer on $port; its log:"; cat "$dir/maillog" >&2 || true; stop "$dir"; exit 1; }
    trap - ERR
    log "private postfix in $dir on 127.0.0.1:$port (STARTTLS) and 127.0.0.1:$tls_port (implicit TLS)"
    cat <<ENV
export POSTFIX_TEST_DIR=$dir
export POSTFIX_TEST_PORT=$port
export POSTFIX_TEST_TLS_PORT=$tls_port
export POSTFIX_TEST_CA=$dir/etc/cert.pem
export POSTFIX_TEST_USER=$SASL_USER@$DOMAIN
export POSTFIX_TEST_PASS='$SASL_PASS'
export POSTFIX_TEST_MAILDIR=$dir/mail/Maildir
export POSTFIX_TEST_LOG=$dir/maillog
ENV
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-${POSTFIX_TEST_DIR:-}}" ;;
    *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
