/// Why an email is sent: Logto's nine template usage types.
public enum UsageType: String, Sendable, CaseIterable, Codable {
    case signIn = "SignIn"
    case register = "Register"
    case forgotPassword = "ForgotPassword"
    case organizationInvitation = "OrganizationInvitation"
    case generic = "Generic"
    case userPermissionValidation = "UserPermissionValidation"
    case bindNewIdentifier = "BindNewIdentifier"
    case mfaVerification = "MfaVerification"
    case bindMfa = "BindMfa"

    /// The usage types Logto requires a template for.
    public static let required: [UsageType] = [.register, .signIn, .forgotPassword, .generic]

    /// Every raw value, comma-separated, for error messages.
    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
