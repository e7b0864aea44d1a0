#!/usr/bin/env python3
"""A local HTTPS stand-in for SendGrid's v3 Mail Send API or Alibaba Cloud DirectMail's
SingleSendMail (and QueryMailAddressByParam, what doctor asks), for the API connectors' tests.

It checks every request against the documented contract (method, path, authentication or
signature, required fields, their shapes) and answers either with the documented answer to a
contract violation (SendGrid: 400 with errors[]; DirectMail: 400 with Code/Message), or, for a
request that keeps the contract, with the scripted answer (--status, --body, --header). Each
request it saw is appended as one JSON line to --record (method, path, headers, body, params,
violations). It prints "listening PORT" once it listens, and serves until killed.

DirectMail's signature (HMAC-SHA1 over "METHOD&%2F&" + the percent-encoded canonical query, key
AccessKeySecret + "&") is recomputed here independently of the Swift code under test.

  api-contract-server.py --vendor sendgrid --cert C --key K --secret SG.key --record R [--status 202 ...]
"""
import argparse
import base64
import hashlib
import hmac
import json
import ssl
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESERVED_SENDGRID_HEADERS = {"x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type",
                             "content-transfer-encoding", "to", "from", "subject", "reply-to", "cc", "bcc"}


def email_ok(value):
    return isinstance(value, dict) and isinstance(value.get("email"), str) and "@" in value["email"] \
        and set(value) <= {"email", "name"} and isinstance(value.get("name", ""), str)


def sendgrid_violations(handler, body, secret):
    problems = []
    if handler.command != "POST" or handler.path != "/v3/mail/send":
        return [("path", f"{handler.command} {handler.path} is not POST /v3/mail/send")]
    if handler.headers.get("Authorization") != f"Bearer {secret}":
        return [(None, "The provided authorization grant is invalid, expired, or revoked")]
    if not handler.headers.get("Content-Type", "").startswith("application/json"):
        problems.append((None, "Content-Type must be application/json"))
    try:
        mail = json.loads(body)
    except ValueError:
        return [(None, "The request body is not valid JSON")]
    people = mail.get("personalizations")
    if not isinstance(people, list) or not people:
        problems.append(("personalizations", "The personalizations field is required and must have at least one personalization."))
    else:
        total = 0
        for index, person in enumerate(people):
            to = person.get("to")
            if not isinstance(to, list) or not to or not all(email_ok(item) for item in to):
                problems.append((f"personalizations.{index}.to", "The to array is required for all personalization objects, and must have at least one email object with a valid email address."))
            for key in ("cc", "bcc"):
                if key in person and not (isinstance(person[key], list) and all(email_ok(item) for item in person[key])):
                    problems.append((f"personalizations.{index}.{key}", f"The {key} field must be a list of email objects."))
            total += sum(len(person.get(key, [])) for key in ("to", "cc", "bcc"))
        if total > 1000:
            problems.append(("personalizations", "The total number of recipients must be less than 1000."))
    if not email_ok(mail.get("from")):
        problems.append(("from.email", "The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter."))
    if "reply_to" in mail and not email_ok(mail["reply_to"]):
        problems.append(("reply_to", "The reply_to email does not contain a valid address."))
    if not isinstance(mail.get("subject"), str) or not mail["subject"]:
        problems.append(("subject", "The subject is required."))
    content = mail.get("content")
    if not isinstance(content, list) or not content or not all(
            isinstance(item, dict) and isinstance(item.get("type"), str) and isinstance(item.get("value"), str) and item["value"]
            for item in content):
        problems.append(("content", "Unless a valid template_id is provided, the content parameter is required."))
    else:
        types = [item["type"] for item in content]
        if "text/plain" in types and types.index("text/plain") != 0:
            problems.append(("content", "If present, text/plain content must be first, followed by text/html."))
    headers = mail.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(value, str) for value in headers.values()):
        problems.append(("headers", "The headers parameter must be an object of strings."))
    elif any(name.lower() in RESERVED_SENDGRID_HEADERS for name in headers):
        problems.append(("headers", "The headers parameter may not contain reserved headers."))
    for index, attachment in enumerate(mail.get("attachments", [])):
        try:
            base64.b64decode(attachment.get("content", ""), validate=True)
        except (ValueError, TypeError):
            problems.append((f"attachments.{index}.content", "The attachment content must be base64 encoded."))
        if not attachment.get("filename"):
            problems.append((f"attachments.{index}.filename", "The attachment filename is required."))
        if attachment.get("disposition", "attachment") not in ("attachment", "inline"):
            problems.append((f"attachments.{index}.disposition", "The disposition must be inline or attachment."))
        if attachment.get("disposition") == "inline" and not attachment.get("content_id"):
            problems.append((f"attachments.{index}.content_id", "The content_id is required for an inline attachment."))
    return problems


def percent_encode(text):
    unreserved = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
    return "".join(chr(byte) if byte in unreserved else f"%{byte:02X}" for byte in str(text).encode("utf-8"))


def aliyun_signature(method, params, secret):
    canonical = "&".join(f"{percent_encode(key)}={percent_encode(value)}" for key, value in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def aliyun_violations(handler, body, secret, params):
    if handler.command != "POST" or urllib.parse.urlsplit(handler.path).path != "/":
        return [("InvalidParameter", f"{handler.command} {handler.path} is not POST /")]
    if not handler.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        return [("InvalidParameter", "the parameters must come as application/x-www-form-urlencoded")]
    common = {"Format": "JSON", "Version": "2015-11-23", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0"}
    for key, value in common.items():
        if params.get(key) != value:
            return [("InvalidParameter", f"{key} must be {value}")]
    action = params.get("Action")
    if action not in ("SingleSendMail", "QueryMailAddressByParam"):
        return [("InvalidParameter", f"Action {action} is not SingleSendMail or QueryMailAddressByParam")]
    required = ["AccessKeyId", "SignatureNonce", "Timestamp", "Signature"]
    if action == "SingleSendMail":
        required += ["AccountName", "AddressType", "ReplyToAddress", "ToAddress", "Subject"]
    for key in required:
        if not params.get(key):
            return [("MissingParameter", f"{key} is mandatory for this action.")]
    signature = params.pop("Signature")
    if signature != aliyun_signature("POST", params, secret):
        return [("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")]
    if not params["Timestamp"].endswith("Z") or len(params["Timestamp"]) != 20:
        return [("InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")]
    if action == "QueryMailAddressByParam":
        return []
    problems = []
    if params["AddressType"] not in ("0", "1"):
        problems.append(("InvalidParameter", "AddressType must be 0 or 1"))
    if params["ReplyToAddress"] not in ("true", "false"):
        problems.append(("InvalidParameter", "ReplyToAddress must be true or false"))
    if not (params.get("HtmlBody") or params.get("TextBody")):
        problems.append(("InvalidBody", "HtmlBody or TextBody is required"))
    addresses = params["ToAddress"].split(",")
    if len(addresses) > 100 or not all("@" in address for address in addresses):
        problems.append(("InvalidToAddress", "The ToAddress is invalid."))
    return problems


# The sender addresses QueryMailAddressByParam knows, as DirectMail's documented answer shows them
# (numbers for some fields, strings for others).
ALIYUN_SENDERS = [
    {"AccountName": "no-reply@mail.acme.test", "AccountStatus": 0, "DomainStatus": 0, "Sendtype": "trigger", "MailAddressId": 1},
    {"AccountName": "frozen@mail.acme.test", "AccountStatus": "1", "DomainStatus": "0", "Sendtype": "batch", "MailAddressId": 2},
    {"AccountName": "new@unverified.acme.test", "AccountStatus": 0, "DomainStatus": 1, "Sendtype": "trigger", "MailAddressId": 3},
]


def aliyun_senders(keyword):
    found = [sender for sender in ALIYUN_SENDERS if keyword in sender["AccountName"]]
    return {"RequestId": "query-senders", "TotalCount": len(found), "PageSize": 100, "PageNumber": 1,
            "data": {"mailAddress": found}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        options = self.server.options
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        record = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body}
        if options.vendor == "sendgrid" and self.command == "GET" and self.path == "/v3/scopes":
            # GET /v3/scopes: the key's permissions (what doctor asks; sends nothing).
            authorized = self.headers.get("Authorization") == f"Bearer {options.secret}"
            with open(options.record, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({**record, "violations": []}) + "\n")
            if authorized:
                self.answer(200, json.dumps({"scopes": ["mail.send", "user.profile.read"]}))
            else:
                self.answer(401, json.dumps({"errors": [{"message": "authorization required", "field": None}]}))
            return
        if options.vendor == "sendgrid":
            violations = sendgrid_violations(self, body, options.secret)
            record["violations"] = [{"field": field, "message": message} for field, message in violations]
        else:
            params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
            record["params"] = dict(params)
            violations = aliyun_violations(self, body, options.secret, params)
            record["violations"] = [{"code": code, "message": message} for code, message in violations]
        with open(options.record, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        if options.stall:
            return  # never answers: the client's timeout must fire
        if options.vendor == "aliyun" and not violations and params.get("Action") == "QueryMailAddressByParam":
            self.answer(200, json.dumps(aliyun_senders(params.get("KeyWord", ""))))
            return
        if violations:
            if options.vendor == "sendgrid":
                status = 401 if violations[0][0] is None and "authorization" in violations[0][1] else 400
                self.answer(status, json.dumps({"errors": [{"message": message, "field": field, "help": None}
                                                          for field, message in violations]}))
            else:
                code, message = violations[0]
                self.answer(404 if code == "InvalidAccessKeyId.NotFound" else 400,
                            json.dumps({"RequestId": "contract-violation", "HostId": "dm.aliyuncs.com", "Code": code, "Message": message}))
            return
        self.answer(options.status, options.body, [tuple(item.split(":", 1)) for item in options.header])

    do_GET = do_POST = do_PUT = handle_any


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vendor", choices=["sendgrid", "aliyun"], required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--status", type=int, default=202)
    parser.add_argument("--body", default="")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--stall", action="store_true")
    options = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.options = options
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(options.cert, options.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
