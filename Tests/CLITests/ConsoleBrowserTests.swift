import Foundation
import Testing
import TestSupport

/// The console in a real browser: Tests/Browser/console_browser_test.py drives headless Chromium
/// through Selenium against `smtp-connector console --dev-server`. It fails, naming the package,
/// when Chromium, chromedriver or python3-selenium is missing (scripts/test.sh installs them as root).
@Suite struct ConsoleBrowserTests {
    @Test func operatorConfiguresAPresetSendsATestAndReadsItInTheInbox() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Browser/console_browser_test.py")
        var arguments = [script.path, CLITests.binary.path]
        // scripts/console-screenshots.sh sets this to refresh the pictures in Docs/.
        if let directory = ProcessInfo.processInfo.environment["CONSOLE_SCREENSHOT_DIR"] { arguments.append(directory) }
        let result = try await TestSupport.runProcess(URL(fileURLWithPath: TestSupport.python), arguments)
        #expect(result.status == 0, "browser test failed:\n\(result.stdoutText)\n\(result.stderrText)")
        #expect(result.stdoutText.contains("console browser test: ok"))
    }
}
