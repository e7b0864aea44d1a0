/// The command line the `sendmail` connector runs, and the checks that keep the message and the
/// envelope from being read as options.
///
/// `PATH [ARGUMENTS] -i -f SENDER -- RECIPIENT...`: `-i` so that a line holding only a dot does not
/// end the message; the envelope sender with `-f`; the recipients after `--`, so none is taken for
/// an option. Never `-t` (recipients read from the headers, Bcc included), never a shell.
enum SendmailCommand {
    /// The argument vector (program first).
    static func arguments(path: String, options: [String], sender: String, recipients: [String]) -> [String] {
        [path] + options + ["-i", "-f", sender, "--"] + recipients
    }

    /// Why `address` cannot go on the command line, or nil: one that starts with `-` would read as
    /// an option to a program that ignores `--`, and a control character has no place in an address.
    static func problem(with address: String) -> String? {
        if address.hasPrefix("-") { return "starts with \"-\", which a sendmail program could read as an option" }
        if address.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "holds a control character" }
        return nil
    }

    /// Why `option` may not be one of the configured `arguments`, or nil.
    static func problem(withOption option: String) -> String? {
        if option.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "holds a control character" }
        if option == "--" { return "would end the options; the connector places the recipients after its own --" }
        guard option.hasPrefix("-"), !option.hasPrefix("--") else { return nil }  // a value, e.g. -C's folder
        // The flags getopt would read from this cluster ("-vt" is -v and -t): up to the first flag
        // that takes a value, which takes the rest (sendmail's option letters, as Postfix reads them).
        let takesValue: Set<Character> = ["A", "B", "C", "F", "N", "O", "R", "V", "X", "b", "e", "f", "h", "o", "p", "r", "q"]
        for flag in option.dropFirst() {
            switch flag {
            case "t": return "would take the recipients from the headers (Bcc included); the connector gives them itself"
            case "f", "r": return "would set the envelope sender; it is fromEmail"
            case "b": return "would change the program's mode; the connector submits a message (-bm)"
            default: if takesValue.contains(flag) { return nil }
            }
        }
        return nil
    }
}
