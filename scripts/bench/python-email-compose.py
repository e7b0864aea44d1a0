#!/usr/bin/env python3
"""The mime-benchmark workloads with Python's email package (EmailMessage, policy SMTP).
  python-email-compose.py small COUNT | attachment MB REPEAT
"""
import json
import os
import sys
import time
from email.message import EmailMessage
from email.headerregistry import Address
from email import policy


def small_message(index):
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = Address("Acme Café", addr_spec="no-reply@example.com")
    message["To"] = f"user{index}@example.org"
    message["Subject"] = f"Your code for Acme Café — {index}"
    message.set_content(f"Your verification code is {100000 + index}. It expires in ten minutes. " * 14)
    message.add_alternative("<html><body><p>" + f"Your verification code is <b>{100000 + index}</b>. " * 17
                            + "</p></body></html>", subtype="html")
    return message.as_bytes()


workload, count = sys.argv[1], int(sys.argv[2])
if workload == "small":
    small_message(0)
    start = time.perf_counter()
    total = sum(len(small_message(i)) for i in range(count))
    seconds = time.perf_counter() - start
    print(json.dumps({"messages": count, "seconds": seconds, "messagesPerSecond": count / seconds,
                      "averageBytes": total // count}))
else:
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    data = os.urandom(count * 1_000_000)

    def build():
        message = EmailMessage(policy=policy.SMTP)
        message["From"] = "no-reply@example.com"
        message["To"] = "a@example.org"
        message["Subject"] = "Report"
        message.set_content("Attached.")
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename="report.bin")
        return message.as_bytes()

    build()
    start = time.perf_counter()
    output = sum(len(build()) for _ in range(repeats))
    seconds = time.perf_counter() - start
    print(json.dumps({"megabytes": count, "repeats": repeats, "seconds": seconds,
                      "base64MBPerSecond": output / 1e6 / seconds}))
