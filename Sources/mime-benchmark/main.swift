// mime-benchmark: composes messages with MessageComposer and reports throughput as JSON.
// Run through scripts/bench-mime.sh, which runs the same workloads with nodemailer's MailComposer
// and Python's email package in the same run.
//
//   mime-benchmark small COUNT       2 KB text+HTML messages -> {"messagesPerSecond": …}
//   mime-benchmark attachment MB N   an N-times-composed message with an MB-megabyte attachment
//                                    -> {"base64MBPerSecond": …}
import Foundation
import MIME

let arguments = CommandLine.arguments
guard arguments.count >= 3, let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: mime-benchmark small COUNT | attachment MB REPEAT\n".utf8))
    exit(2)
}

/// The same 2 KB workload the Node and Python scripts build (scripts/bench/).
func smallMessage(_ index: Int) -> MailMessage {
    let text = String(repeating: "Your verification code is \(100_000 + index). It expires in ten minutes. ", count: 14)
    let html = "<html><body><p>" + String(repeating: "Your verification code is <b>\(100_000 + index)</b>. ", count: 17) + "</p></body></html>"
    return MailMessage(from: Mailbox("no-reply@example.com", displayName: "Acme Café"), to: [Mailbox("user\(index)@example.org")],
                       subject: "Your code for Acme Café — \(index)", text: text, html: html)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

switch arguments[1] {
case "small":
    var bytes = 0
    _ = try MessageComposer().compose(smallMessage(0))  // warm-up
    let elapsed = try seconds {
        for index in 0..<count { bytes += try MessageComposer().compose(smallMessage(index)).count }
    }
    print(#"{"messages": \#(count), "seconds": \#(elapsed), "messagesPerSecond": \#(Double(count) / elapsed), "averageBytes": \#(bytes / count)}"#)
case "attachment":
    let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5
    var generator = SystemRandomNumberGenerator()
    let data = Data((0..<(count * 1_000_000)).map { _ in UInt8.random(in: 0...255, using: &generator) })
    let message = MailMessage(from: Mailbox("no-reply@example.com"), to: [Mailbox("a@example.org")], subject: "Report",
                              text: "Attached.", attachments: [Attachment(filename: "report.bin", data: data)])
    var output = 0
    _ = try MessageComposer().compose(message)  // warm-up
    let elapsed = try seconds {
        for _ in 0..<repeats { output += try MessageComposer().compose(message).count }
    }
    print(#"{"megabytes": \#(count), "repeats": \#(repeats), "seconds": \#(elapsed), "base64MBPerSecond": \#(Double(output) / 1e6 / elapsed)}"#)
default:
    FileHandle.standardError.write(Data("unknown workload \(arguments[1])\n".utf8))
    exit(2)
}
