/// Builds the human-readable JSON paths that ``ConfigIssue`` carries: `auth.user`, `templates[2].subject`.
public struct ConfigPath: Sendable, Equatable, CustomStringConvertible {
    private var text: String

    /// The root of the document.
    public static let root = ConfigPath(text: "")

    private init(text: String) { self.text = text }

    /// The path of the member `key` below this one.
    public func appending(_ key: String) -> ConfigPath {
        ConfigPath(text: text.isEmpty ? key : "\(text).\(key)")
    }

    /// The path of the element `index` below this one.
    public func appending(index: Int) -> ConfigPath {
        ConfigPath(text: "\(text)[\(index)]")
    }

    /// The path as text, empty at the root.
    public var description: String { text }
}
