import ConnectorKit

// The parts of a configuration that hold secrets print masks only, however they are printed
// (`print`, string interpolation, `debugPrint`, `dump`, a failed test expectation).

extension SMTPConnectorConfig.Auth: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `Auth(oauth2, ********)`: the kind only.
    public var description: String { "Auth(\(isOAuth2 ? "oauth2" : "login"), \(ConfidentialValues.mask))" }
    /// The same as ``description``.
    public var debugDescription: String { description }
    /// No child values.
    public var customMirror: Mirror { Mirror(self, children: ["masked": ConfidentialValues.mask], displayStyle: .struct) }
}

extension SMTPConnectorConfig.DKIM: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `DKIM(********)`.
    public var description: String { "DKIM(\(ConfidentialValues.mask))" }
    /// The same as ``description``.
    public var debugDescription: String { description }
    /// No child values.
    public var customMirror: Mirror { Mirror(self, children: ["masked": ConfidentialValues.mask], displayStyle: .struct) }
}
