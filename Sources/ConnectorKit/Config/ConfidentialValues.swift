/// Which configuration values are confidential: never printed, logged or put in an error, by any
/// command, output format or connector.
///
/// A value is confidential when it sits anywhere under `auth` or `dkim` (key selectors included:
/// they help an attacker guess the rest), or when any key on its path contains `pass`, `secret`,
/// `token` or `key` in any case (`auth.password`, `apiKey`, a custom header named `X-Api-Key`). The
/// rule looks at names only, so a key nobody declared is covered too. `auth`'s public members
/// (``publicAuthKeys``: who signs in and how, never with what) are shown, as Logto's console and
/// nodemailer show them.
public enum ConfidentialValues {
    /// What is shown in place of a confidential value.
    public static let mask = "********"
    /// Sections whose every value is confidential.
    public static let sections: Set<String> = ["auth", "dkim"]
    /// Key name fragments (compared in lower case) that make a value confidential.
    public static let nameFragments = ["pass", "secret", "token", "key"]
    /// Members of `auth` that are not secrets: the account (`auth.user`), the kind of
    /// authentication, the SASL mechanism and a token's expiry time.
    public static let publicAuthKeys: Set<String> = ["user", "type", "method", "expires"]

    /// Whether the value at `path` (`auth.user`, `failover[1].auth.pass`) is confidential.
    public static func isConfidential(path: String) -> Bool {
        isConfidential(keys: path.split(separator: ".").map { String($0.prefix { $0 != "[" }) })
    }

    /// Whether a value reached through `keys` (object member names, outermost first) is confidential.
    /// A key that is itself a dotted path (`"auth.user"` in a preset alias) counts by its parts.
    public static func isConfidential<Keys: Sequence>(keys: Keys) -> Bool where Keys.Element == String {
        let parts = keys.flatMap { $0.lowercased().split(separator: ".").map(String.init) }
        if parts.contains(where: { part in nameFragments.contains { part.contains($0) } }) { return true }
        guard let section = parts.firstIndex(where: sections.contains) else { return false }
        // `auth.user` and its like, directly under `auth`, are public.
        return !(parts[section] == "auth" && section == parts.count - 2 && publicAuthKeys.contains(parts[section + 1]))
    }
}

extension ConfigValue {
    /// A copy in which every confidential value (see ``ConfidentialValues``) is replaced by
    /// ``ConfidentialValues/mask``; objects and arrays keep their shape, so it still shows which keys are set.
    public var maskingConfidentialValues: ConfigValue {
        masking(keys: [])
    }

    /// Decided at each value by the keys on its path (array positions do not count).
    private func masking(keys: [String]) -> ConfigValue {
        switch self {
        case .object(let members):
            var masked: [String: ConfigValue] = [:]
            for (key, value) in members { masked[key] = value.masking(keys: keys + [key]) }
            return .object(masked)
        case .array(let elements):
            return .array(elements.map { $0.masking(keys: keys) })
        default:
            return self != .null && ConfidentialValues.isConfidential(keys: keys) ? .string(ConfidentialValues.mask) : self
        }
    }
}
