#!/usr/bin/env bash
# Runs the whole test suite, including the interop tests against a real Postfix smtpd.
#
# As root it installs what the tests need from Debian's packages (postfix, sasl2-bin, python3, python3-dkim,
# openssl), starts a private Postfix instance in a temporary folder on free loopback ports
# (scripts/postfix-test-env.sh) and stops and removes it afterwards. The machine's own Postfix, if any,
# is left alone: /etc/postfix is never read or written and the system instance is never stopped.
# Without root it cannot start Postfix: the Postfix tests then fail and say why, unless you set
# SMTP_TESTS_SKIP_POSTFIX=1 to skip them on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(postfix sasl2-bin libsasl2-modules python3 python3-dkim openssl libssl-dev pkg-config
          chromium chromium-driver python3-selenium)

missing_packages() {
    local missing=()
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    echo "${missing[@]:-}"
}

if [ "${SMTP_TESTS_SKIP_POSTFIX:-}" = 1 ]; then
    echo "test.sh: SMTP_TESTS_SKIP_POSTFIX=1: the Postfix interop tests will be reported as skipped" >&2
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    missing=$(missing_packages)
    if [ -n "$missing" ]; then
        echo "test.sh: installing $missing" >&2
        # Installed here, the system's Postfix gets "No configuration" and stays stopped: the tests run
        # their own instance. Where Postfix is already installed, its configuration is not touched.
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q $missing >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null; }
    fi
    # The machine's own Postfix must come out of the run exactly as it went in: its configuration
    # unchanged and, if it was running, the same master process still running. Checked at the end;
    # a difference fails the run.
    system_postfix_state() {
        find /etc/postfix -type f -exec md5sum {} + 2>/dev/null | sort
        local queue pid
        queue=$(postconf -h queue_directory 2>/dev/null) || queue=""
        if [ -n "$queue" ] && [ -f "$queue/pid/master.pid" ]; then
            pid=$(tr -d ' ' < "$queue/pid/master.pid")
            kill -0 "$pid" 2>/dev/null && echo "system master $pid running" || echo "system master not running"
        fi
    }
    system_before=$(system_postfix_state)
    env_file=$(mktemp)
    finish() {
        local status=$?
        set +e
        [ -n "${POSTFIX_TEST_DIR:-}" ] && scripts/postfix-test-env.sh stop "$POSTFIX_TEST_DIR"
        rm -f "$env_file"
        if [ "$(system_postfix_state)" != "$system_before" ]; then
            echo "test.sh: FAIL: the system's Postfix (/etc/postfix or its master process) changed during the tests" >&2
            exit 1
        fi
        exit "$status"
    }
    trap finish EXIT
    scripts/postfix-test-env.sh start > "$env_file"
    # shellcheck disable=SC1090
    source "$env_file"
else
    echo "test.sh: WARNING: not root, so Postfix cannot be installed or started here." >&2
    echo "test.sh: the Postfix interop tests will FAIL; run as root, or set SMTP_TESTS_SKIP_POSTFIX=1 to skip them." >&2
fi

# Every import follows DESIGN.md's module graph.
python3 scripts/check-imports.py

# scripts/sanitize.sh runs this whole file again with a sanitizer: TEST_SWIFT_FLAGS holds
# --sanitize=... and a scratch path of its own, so the ordinary build is left alone.
read -r -a swift_flags <<< "${TEST_SWIFT_FLAGS:-}"

# Every package under Integrations/ (swift-log, swift-metrics, ServiceLifecycle adapters) and
# Examples/ (a third party's connector, a Hummingbird app) builds against the root by path, as
# another package would. They share one scratch folder, so the root's modules and the common
# dependencies (swift-log, swift-metrics, ...) are built once for all, and again only when changed.
# Not under a sanitizer (scripts/sanitize.sh runs this file again): they test the same code paths.
if [ -z "${TEST_SWIFT_FLAGS:-}" ]; then
    for package in Integrations/*/ Examples/*/; do
        [ -f "$package/Package.swift" ] || continue
        echo "test.sh: swift test --package-path $package" >&2
        swift test --package-path "$package" --scratch-path .build-packages
    done
fi

swift build --build-tests "${swift_flags[@]}"
# In parallel: no test depends on an idle machine (timing tests wait for events, with wide margins).
# BusyHostTests saturates Swift's cooperative pool on purpose, which would stall every test beside it,
# so it runs on its own afterwards.
swift test --skip-build "${swift_flags[@]}" --skip BusyHostTests
swift test --skip-build "${swift_flags[@]}" --filter BusyHostTests
