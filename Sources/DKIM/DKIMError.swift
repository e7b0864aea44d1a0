import MIME

/// A DKIM key or setting that cannot be used, naming the config field (`dkim.privateKey`,
/// `dkim.domainName`, `dkim.keySelector`): the same value type as a message that cannot be composed,
/// since both say which field is wrong and why.
public typealias DKIMError = MIMEError
