#!/usr/bin/env python3
"""Parses RFC 5322 messages with Python's `email` package (policy.default) and prints what a mail
client would see, as JSON. The Swift tests use it as an independent reader.

  parse-email.py [FILE]     one message from FILE or standard input -> one JSON object
  parse-email.py --batch    a JSON array of base64 messages on standard input -> a JSON array
"""
import base64
import email
import email.header
import email.policy
import email.utils
import hashlib
import json
import sys


def structure(part):
    if part.is_multipart():
        return part.get_content_type() + "(" + ",".join(structure(p) for p in part.iter_parts()) + ")"
    return part.get_content_type()


def text_of(part):
    # MIME's canonical line ending is CRLF; a reader hands text on with "\n".
    return part.get_content().replace("\r\n", "\n") if part is not None else None


def describe(raw):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_body(preferencelist=("html", "plain"))
    defects = [type(d).__name__ for d in message.defects]
    for part in message.walk():
        defects += [type(d).__name__ for d in part.defects]
    attachments = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() not in ("attachment", "inline"):
            continue
        payload = part.get_payload(decode=True) or b""
        attachments.append({
            "filename": part.get_filename(),
            "contentType": part.get_content_type(),
            "disposition": part.get_content_disposition(),
            "contentID": part["content-id"],
            "sha256": hashlib.sha256(payload).hexdigest(),
            "size": len(payload),
        })
    lines = raw.split(b"\r\n")

    def header(name):
        value = message[name]
        return str(value) if value is not None else None

    def mailboxes(name):
        value = message[name]
        if value is None:
            return []
        return [[a.display_name, a.addr_spec] for a in value.addresses]

    # policy.default inserts a space between adjacent encoded-words in a display name (it keeps
    # the whitespace RFC 2047 §6.2 says to drop; it cannot read back its own long names either).
    # email.header.decode_header follows the RFC, so names are decoded with it from the raw header.
    raw_message = email.message_from_bytes(raw, policy=email.policy.compat32)

    def rfc2047_mailboxes(name):
        values = raw_message.get_all(name) or []
        result = []
        for display, address in email.utils.getaddresses(values):
            decoded = str(email.header.make_header(email.header.decode_header(display))) if display else ""
            result.append([decoded, address])
        return result

    return {
        "subject": header("subject"),
        "fromNames": rfc2047_mailboxes("from"),
        "toNames": rfc2047_mailboxes("to"),
        "fromMailboxes": mailboxes("from"),
        "toMailboxes": mailboxes("to"),
        "from": header("from"),
        "to": header("to"),
        "cc": header("cc"),
        "replyTo": header("reply-to"),
        "messageId": header("message-id"),
        "date": header("date"),
        "contentType": body.get_content_type() if body is not None else None,
        "charset": body.get_content_charset() if body is not None else None,
        "transferEncoding": body["content-transfer-encoding"] if body is not None else None,
        "body": text_of(body),
        "text": text_of(message.get_body(preferencelist=("plain",))),
        "html": text_of(message.get_body(preferencelist=("html",))),
        "structure": structure(message),
        "attachments": attachments,
        "headers": [[k, str(v)] for k, v in message.items()],
        "defects": defects,
        "maxLineLength": max(len(line) for line in lines),
        "bareLF": raw.replace(b"\r\n", b"").count(b"\n"),
        "bareCR": raw.replace(b"\r\n", b"").count(b"\r"),
    }


if len(sys.argv) > 1 and sys.argv[1] == "--batch":
    messages = json.load(sys.stdin)
    print(json.dumps([describe(base64.b64decode(m)) for m in messages], ensure_ascii=False))
else:
    raw = open(sys.argv[1], "rb").read() if len(sys.argv) > 1 else sys.stdin.buffer.read()
    print(json.dumps(describe(raw), ensure_ascii=False))
