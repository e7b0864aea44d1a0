/// The codes sent and not yet used, by address: what a sign-in endpoint checks a typed code
/// against. In memory here; a real app keeps them in its database with an expiry.
public actor CodeStore {
    private var codes: [String: String] = [:]

    /// An empty store.
    public init() {}

    /// Remembers `code` for `email`, replacing an older one.
    func issue(_ code: String, to email: String) {
        codes[email.lowercased()] = code
    }

    /// The code last sent to `email`.
    public func code(for email: String) -> String? {
        codes[email.lowercased()]
    }
}
