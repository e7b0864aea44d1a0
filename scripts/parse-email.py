#!/usr/bin/env python3
"""Parses one RFC 5322 message (a file path, or standard input) with Python's `email` package and
prints what a mail client would see, as JSON. The Swift tests use it as an independent reader."""
import email
import email.policy
import json
import sys

raw = open(sys.argv[1], "rb").read() if len(sys.argv) > 1 else sys.stdin.buffer.read()
message = email.message_from_bytes(raw, policy=email.policy.default)
body = message.get_body(preferencelist=("html", "plain"))
lines = raw.split(b"\r\n")
print(json.dumps({
    "subject": str(message["subject"]) if message["subject"] is not None else None,
    "from": str(message["from"]) if message["from"] is not None else None,
    "to": str(message["to"]) if message["to"] is not None else None,
    "replyTo": str(message["reply-to"]) if message["reply-to"] is not None else None,
    "messageId": str(message["message-id"]) if message["message-id"] is not None else None,
    "date": str(message["date"]) if message["date"] is not None else None,
    "contentType": body.get_content_type() if body is not None else None,
    "charset": body.get_content_charset() if body is not None else None,
    "transferEncoding": body["content-transfer-encoding"] if body is not None else None,
    # MIME's canonical line ending is CRLF; a reader hands text on with "\n".
    "body": body.get_content().replace("\r\n", "\n") if body is not None else None,
    "headers": [[k, str(v)] for k, v in message.items()],
    "defects": [type(d).__name__ for d in message.defects]
               + ([type(d).__name__ for d in body.defects] if body is not None else []),
    "maxLineLength": max(len(line) for line in lines),
    "bareLF": raw.replace(b"\r\n", b"").count(b"\n"),
}, ensure_ascii=False))
