#!/usr/bin/env python3
"""A load generator on Python's smtplib for scripts/bench-smtp.sh: N messages over C connections
(threads), or a new connection each, plaintext, implicit TLS or STARTTLS, with or without AUTH. Prints sent=K errors=E inner_s=S."""
import argparse
import os
import smtplib
import ssl
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("-n", type=int, default=1000)
parser.add_argument("-c", type=int, default=1)
parser.add_argument("--size", type=int, default=2048)
parser.add_argument("--tls", action="store_true")
parser.add_argument("--fresh", action="store_true")
parser.add_argument("--starttls", action="store_true")
parser.add_argument("--user", help="AUTH with this user and the password in SMTP_BENCH_PASSWORD")
parser.add_argument("--ca")
args = parser.parse_args()
password = os.environ.get("SMTP_BENCH_PASSWORD")

line = ("0123456789abcdefghij" * 4)[:74] + "\r\n"
body = line * (args.size // len(line)) + "x" * (args.size % len(line))
context = ssl.create_default_context(cafile=args.ca) if args.tls or args.starttls else None
lock = threading.Lock()
state = {"next": 0, "sent": 0, "failed": 0}


def connect():
    if args.tls:
        # The certificate names localhost (and 127.0.0.1); smtplib checks the name it connects to.
        client = smtplib.SMTP_SSL(args.host, args.port, context=context)
    else:
        client = smtplib.SMTP(args.host, args.port)
        if args.starttls:
            client.starttls(context=context)
    if args.user:
        # PLAIN, as every client in the benchmark (login() would pick CRAM-MD5 first).
        client.ehlo_or_helo_if_needed()
        client.user, client.password = args.user, password
        client.auth("PLAIN", client.auth_plain)
    return client


def worker():
    client = None
    while True:
        with lock:
            index = state["next"]
            state["next"] += 1
        if index >= args.n:
            break
        try:
            if client is None:
                client = connect()
            message = f"From: bench@example.test\r\nTo: sink@example.test\r\nSubject: bench {index}\r\n\r\n{body}"
            client.sendmail("bench@example.test", [f"sink{index % 100}@example.test"], message)
            with lock:
                state["sent"] += 1
            if args.fresh:
                client.quit()
                client = None
        except Exception:
            with lock:
                state["failed"] += 1
            client = None
    if client is not None:
        client.quit()


start = time.perf_counter()
threads = [threading.Thread(target=worker) for _ in range(args.c)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"sent={state['sent']} errors={state['failed']} inner_s={time.perf_counter() - start:.3f}")
