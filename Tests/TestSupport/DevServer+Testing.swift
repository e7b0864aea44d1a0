import DevServer

extension DevServer {
    /// A started DevServer with STARTTLS; `users` may AUTH; `adjust` changes anything else.
    public static func started(users: [String: String] = ["app": "pw"],
                        _ adjust: (inout DevServerConfiguration) -> Void = { _ in }) throws -> DevServer {
        var configuration = DevServerConfiguration()
        configuration.users = users
        adjust(&configuration)
        let server = try DevServer(configuration)
        try server.start()
        return server
    }
}
