import CodeSender
import Foundation
import Hummingbird
import Logging

// hummingbird-app CONFIG [PORT]: sends codes through the connector CONFIG names; SIGTERM or
// Ctrl-C shuts it down gracefully (sends in flight finish first).
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: hummingbird-app CONFIG.json [PORT]\n".utf8))
    exit(2)
}
var settings = CodeAppSettings(configPath: arguments[1])
settings.port = arguments.count > 2 ? Int(arguments[2]) ?? 8080 : 8080
settings.logger.logLevel = .info
let app = try CodeApplication.build(settings, store: CodeStore())
try await app.runService()
