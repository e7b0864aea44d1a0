import ConnectorKit

extension Preset {
    /// Alibaba Cloud DirectMail: a host per region, implicit TLS on 465 (variant port 80, plain
    /// unless the server offers STARTTLS), AUTH LOGIN with the sender address as user name.
    public static let aliyunDirectMail = Preset(
        id: "aliyun-directmail", name: "Aliyun DirectMail",
        description: "Alibaba Cloud DirectMail; domains, senders and SMTP passwords are per region.",
        docs: "https://www.alibabacloud.com/help/en/directmail/latest/smtp-service-address",
        defaults: ["host": "smtpdm.aliyun.com", "port": 465, "secure": true, "auth": ["method": "LOGIN"]],
        variants: [
            VariantSet(key: "region", defaultValue: "cn-hangzhou", options: [
                Variant(name: "cn-hangzhou", overrides: ["host": "smtpdm.aliyun.com"], description: "China (Hangzhou)"),
                Variant(name: "ap-southeast-1", overrides: ["host": "smtpdm-ap-southeast-1.aliyuncs.com"], description: "Singapore"),
                Variant(name: "us-east-1", overrides: ["host": "smtpdm-us-east-1.aliyuncs.com"], description: "US (Virginia)"),
                Variant(name: "eu-central-1", overrides: ["host": "smtpdm-eu-central-1.aliyuncs.com"], description: "Germany (Frankfurt)"),
                Variant(name: "ap-southeast-2", overrides: ["host": "smtpdm-ap-southeast-2.aliyun.com"], description: "Australia (legacy)"),
            ]),
            VariantSet(key: "variant", defaultValue: "implicit-tls", options: [
                Variant(name: "implicit-tls", overrides: ["port": 465, "secure": true], port: 465,
                        description: "TLS from the first byte on port 465 (recommended)"),
                Variant(name: "port-80", overrides: ["port": 80, "secure": false], port: 80,
                        description: "Port 80: STARTTLS only if the server offers it; without TLS the password is refused unless allowInsecureAuth is set"),
                Variant(name: "port-25", overrides: ["port": 25, "secure": false], port: 25,
                        description: "Port 25: blocked by default on Alibaba Cloud ECS instances"),
            ]),
        ],
        required: [
            RequiredField(path: "auth.user", hint: "The sender address, as listed under Sender Addresses in the DirectMail console."),
            RequiredField(path: "auth.pass", hint: "The SMTP password set for that sender address in the DirectMail console (not your account password)."),
        ],
        derived: [DerivedField(path: "fromEmail", source: "auth.user")],
        replyHints: [
            ReplyHint(code: 535, hint: "DirectMail refused the login: auth.user must be the sender address and auth.pass its SMTP password (set in the DirectMail console), for the region of this host."),
            ReplyHint(code: 554, hint: "DirectMail refused the message: check that the sender address and its domain are verified in the same region as the host."),
            ReplyHint(code: 556, hint: "Too many recipients for DirectMail: at most 100 per send."),
            ReplyHint(code: 557, hint: "The message is too large for DirectMail: about 15 MB after encoding at most."),
        ],
        limits: Limits(recipientsPerMessage: 100, notes: [
            "5,000 messages per 180 s; the same sender to the same recipient at most 50 times per 300 s.",
            "The daily quota starts at 2,000; at most 100 attachments, about 15 MB per message after encoding.",
        ]),
        notes: ["Port 25 is blocked by default on Alibaba Cloud ECS; use 465.",
                "fromEmail must be the same sender address as auth.user."])
}
