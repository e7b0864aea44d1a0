extension SMTPPool {
    /// Pool limits; defaults are nodemailer's.
    public struct Limits: Sendable, Equatable {
        /// Connections open at once (`maxConnections`, default 5).
        public var maxConnections: Int = 5
        /// Messages per connection (`maxMessages`, default 100).
        public var maxMessagesPerConnection: Int = 100
        /// Messages per `rateWindow` (`rateLimit`); nil for no limit.
        public var rateLimit: Int?
        /// The rate window in seconds (`rateDelta` / 1000, default 1).
        public var rateWindow: Double = 1
        /// Seconds an idle connection stays open (default 30).
        public var idleTimeout: Double = 30
        /// Seconds idle after which a connection is checked with NOOP before reuse (default 1).
        public var healthCheckAfter: Double = 1

        /// nodemailer's defaults: 5 connections, 100 messages each, no rate limit.
        /// - Parameters:
        ///   - maxConnections: connections open at once (at least 1).
        ///   - maxMessagesPerConnection: messages per connection before it is replaced (at least 1).
        ///   - rateLimit: messages per `rateWindow`, nil for no limit.
        ///   - rateWindow: the rate window in seconds.
        ///   - idleTimeout: seconds an idle connection stays open.
        ///   - healthCheckAfter: seconds idle after which a connection is checked before reuse.
        public init(maxConnections: Int = 5, maxMessagesPerConnection: Int = 100, rateLimit: Int? = nil,
                    rateWindow: Double = 1, idleTimeout: Double = 30, healthCheckAfter: Double = 1) {
            self.maxConnections = max(1, maxConnections)
            self.maxMessagesPerConnection = max(1, maxMessagesPerConnection)
            self.rateLimit = rateLimit
            self.rateWindow = rateWindow
            self.idleTimeout = idleTimeout
            self.healthCheckAfter = healthCheckAfter
        }
    }
}
