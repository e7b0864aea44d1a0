#!/usr/bin/env bash
# Configures and starts a real Postfix smtpd on loopback for the interop tests, then prints
# `export NAME=value` lines for the test run. Usage (as root):
#   eval "$(scripts/postfix-test-env.sh start)"   ...   scripts/postfix-test-env.sh stop
#
# Postfix listens on 127.0.0.1 only, on free ports:
#   POSTFIX_TEST_PORT       STARTTLS offered (smtpd_tls_security_level=may), AUTH only after TLS
#   POSTFIX_TEST_TLS_PORT   implicit TLS (smtpd_tls_wrappermode=yes, like 465)
# Cyrus SASL (sasldb) offers PLAIN, LOGIN and CRAM-MD5. Every recipient in example.test is
# delivered to the Maildir of the local user `smtptest`.
set -euo pipefail

STATE_DIR=/var/lib/smtp-connector-tests
MARKER="# written by smtp-connector scripts/postfix-test-env.sh"
DOMAIN=example.test
SASL_USER=tester
# A password with non-ASCII characters: AUTH must carry UTF-8 intact.
SASL_PASS='pässwörd-测试-42'
MAIL_USER=smtptest

log() { echo "postfix-test-env: $*" >&2; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

stop() {
    if command -v postfix >/dev/null 2>&1 && [ -f /etc/postfix/main.cf ] && grep -qF "$MARKER" /etc/postfix/main.cf; then
        postfix stop >/dev/null 2>&1 || true
        log "postfix stopped"
    fi
}

start() {
    [ "$(id -u)" = 0 ] || { log "needs root to configure Postfix"; exit 1; }
    command -v postfix >/dev/null && command -v saslpasswd2 >/dev/null || {
        log "postfix and sasl2-bin are not installed (apt-get install postfix sasl2-bin libsasl2-modules)"; exit 1; }
    if [ -f /etc/postfix/main.cf ] && ! grep -qF "$MARKER" /etc/postfix/main.cf; then
        log "/etc/postfix/main.cf exists and is not ours; refusing to overwrite it"; exit 1
    fi
    postfix stop >/dev/null 2>&1 || true
    mkdir -p "$STATE_DIR"
    id "$MAIL_USER" >/dev/null 2>&1 || useradd --create-home --shell /usr/sbin/nologin "$MAIL_USER"
    local home; home=$(getent passwd "$MAIL_USER" | cut -d: -f6)
    rm -rf "$home/Maildir"

    # A self-signed certificate for localhost and 127.0.0.1; the tests trust it through tls.ca.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$STATE_DIR/key.pem" -out "$STATE_DIR/cert.pem" >/dev/null 2>&1
    chmod 600 "$STATE_DIR/key.pem"

    local port tls_port
    port=$(free_port); tls_port=$(free_port)
    while [ "$tls_port" = "$port" ]; do tls_port=$(free_port); done

    cat > /etc/postfix/main.cf <<CONF
$MARKER
compatibility_level = 3.6
myhostname = mail.$DOMAIN
mydomain = $DOMAIN
myorigin = \$mydomain
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination = $DOMAIN, \$myhostname, localhost
local_recipient_maps =
luser_relay = $MAIL_USER
home_mailbox = Maildir/
alias_maps =
alias_database =
maillog_file = /var/log/postfix-tests.log
smtputf8_enable = yes
message_size_limit = 20480000
smtpd_tls_cert_file = $STATE_DIR/cert.pem
smtpd_tls_key_file = $STATE_DIR/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_received_header = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_security_options = noanonymous
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
CONF

    # Every service without chroot: SASL must read /etc/sasldb2.
    cat > /etc/postfix/master.cf <<CONF
$MARKER
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
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF

    mkdir -p /etc/postfix/sasl
    cat > /etc/postfix/sasl/smtpd.conf <<CONF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN CRAM-MD5
sasldb_path: /etc/sasldb2
CONF
    printf '%s' "$SASL_PASS" | saslpasswd2 -p -c -u "$DOMAIN" "$SASL_USER"
    chown root:postfix /etc/sasldb2
    chmod 640 /etc/sasldb2

    newaliases >/dev/null 2>&1 || true
    postfix check >&2
    postfix start >/dev/null 2>&1
    for _ in $(seq 1 50); do
        if python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$port),1); sys.exit(0 if s.recv(100).startswith(b'220') else 1)" 2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    log "postfix listening on 127.0.0.1:$port (STARTTLS) and 127.0.0.1:$tls_port (implicit TLS)"
    cat <<ENV
export POSTFIX_TEST_PORT=$port
export POSTFIX_TEST_TLS_PORT=$tls_port
export POSTFIX_TEST_CA=$STATE_DIR/cert.pem
export POSTFIX_TEST_USER=$SASL_USER@$DOMAIN
export POSTFIX_TEST_PASS='$SASL_PASS'
export POSTFIX_TEST_MAILDIR=$home/Maildir
export POSTFIX_TEST_LOG=/var/log/postfix-tests.log
ENV
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
