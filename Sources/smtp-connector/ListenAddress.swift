import Foundation

/// `HOST:PORT` as `--listen` takes it (`[::1]:8025` for IPv6).
enum ListenAddress {
    /// The host (brackets removed) and port.
    /// - Throws: ``UsageError`` naming `option` when the text is not HOST:PORT.
    static func parse(_ text: String, option: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw UsageError(message: "\(option) takes HOST:PORT, e.g. 127.0.0.1:8025")
        }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty else { throw UsageError(message: "\(option) needs a host, e.g. 127.0.0.1:8025") }
        return (host, port)
    }
}
