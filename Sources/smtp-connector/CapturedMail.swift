import ConnectorKit
import DevServer
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A message found in an inbox's capture folder or through a console's API.
struct CapturedMail {
    /// Where captured mail is.
    enum Source {
        /// `.eml` files that `inbox --dir DIR` writes.
        case directory(String)
        /// A running console (`--dev-server`), by its base URL and access token.
        case console(base: String, token: String)
    }

    /// The message taken apart.
    var content: MessageContent

    /// The newest message addressed to `recipient` (envelope, To or Cc), if any.
    static func newest(to recipient: String, in source: Source) async throws -> CapturedMail? {
        switch source {
        case .directory(let path):
            // Newest by modification time: file numbers restart with each run of the inbox.
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".eml") }
                .map { path + "/" + $0 }
                .map { ($0, (try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date) ?? .distantPast) }
                .sorted { $0.1 > $1.1 }
            for (file, _) in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                let content = MessageContent(Array(data))
                let addressed = [content.header("To"), content.header("Cc")].compactMap { $0 }.flatMap(addresses(in:))
                if addressed.contains(recipient) { return CapturedMail(content: content) }
            }
            return nil
        case .console(let base, let token):
            let list = try await get(base + "/api/messages", token: token)
            guard let messages = list["messages"]?.arrayValue else { return nil }
            for message in messages {
                let to = message["to"]?.arrayValue?.compactMap { $0.stringValue?.lowercased() } ?? []
                guard to.contains(recipient), let id = message["id"]?.numberValue.flatMap({ Int(exactly: $0) }) else { continue }
                let detail = try await get(base + "/api/messages/\(id)", token: token)
                guard let raw = detail["raw"]?.stringValue else { continue }
                return CapturedMail(content: MessageContent(Array(raw.utf8)))
            }
            return nil
        }
    }

    /// The addresses in a To or Cc field, in lower case: `<...>` when there is one, else the word itself.
    static func addresses(in field: String) -> [String] {
        field.split(separator: ",").map { part in
            let text = part.trimmingCharacters(in: .whitespaces)
            if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
                return String(text[text.index(after: open)..<close]).lowercased()
            }
            return text.lowercased()
        }
    }

    private static func get(_ url: String, token: String) async throws -> ConfigValue {
        guard let address = URL(string: url) else { throw ConnectorError(.invalidRequest, "\(url) is not a URL") }
        var request = URLRequest(url: address)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let data: Data, response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw ConnectorError(.socketError, "The console at \(url) did not answer: \(error.localizedDescription)",
                                 hint: "Is smtp-connector console --dev-server still running, and is the URL the one it printed?")
        }
        let value = try ConfigValue.parse(json: data)
        if let status = (response as? HTTPURLResponse)?.statusCode, status != 200 {
            throw ConnectorError(.invalidResponse, "The console answered \(status): \(value["error"]?["message"]?.stringValue ?? "")",
                                 hint: status == 403 ? "Use the URL this run of the console printed; the token changes each run." : nil)
        }
        return value
    }
}
