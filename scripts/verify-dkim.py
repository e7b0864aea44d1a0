#!/usr/bin/python3
"""Verifies the DKIM signature of one message with python3-dkim (dkimpy), answering its DNS query
with the given key record instead of asking DNS.

  verify-dkim.py RECORD [FILE]    RECORD like "v=DKIM1; k=rsa; p=MIIB..."; the message from FILE or stdin
Prints "pass" or "fail: reason"; exits 0 on pass, 1 on fail.
Line endings are made CRLF first, so a message read back from a Maildir (LF) verifies too.
"""
import logging
import sys

import dkim

record = sys.argv[1].encode()
raw = open(sys.argv[2], "rb").read() if len(sys.argv) > 2 else sys.stdin.buffer.read()
raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
logger = logging.getLogger("dkim")
messages = []
logger.addHandler(logging.Handler())
logger.handlers[0].emit = lambda r: messages.append(r.getMessage())
logger.setLevel(logging.DEBUG)
ok = dkim.verify(raw, logger=logger, dnsfunc=lambda name, timeout=5: record)
print("pass" if ok else "fail: " + "; ".join(messages[-3:]))
sys.exit(0 if ok else 1)
