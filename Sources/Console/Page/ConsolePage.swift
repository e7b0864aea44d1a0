/// The console's one page and its assets, compiled into the binary (SwiftPM `embedInCode`), so
/// an installed `smtp-connector` needs no files beside it. Every script is a file of its own:
/// the Content-Security-Policy allows no inline script or style.
enum ConsolePage {
    /// The page, with this run's token in its asset URLs (the only requests a browser makes
    /// without the page's script, so without the Authorization header).
    static func html(token: String) -> HTTPResponse {
        let page = String(decoding: PackageResources.index_html, as: UTF8.self).replacingOccurrences(of: "__TOKEN__", with: token)
        return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
    }

    /// A script or the style sheet, by file name. The scripts are ES modules whose imports carry
    /// the token (`./api.js?token=__TOKEN__`), as the page's own asset URLs do.
    /// - Throws: ``APIFailure`` (404) for any other name.
    static func asset(named name: String, token: String) throws -> HTTPResponse {
        let assets: [String: ([UInt8], String)] = [
            "console.css": (PackageResources.console_css, "text/css; charset=utf-8"),
            "api.js": (PackageResources.api_js, "text/javascript; charset=utf-8"),
            "form.js": (PackageResources.form_js, "text/javascript; charset=utf-8"),
            "actions.js": (PackageResources.actions_js, "text/javascript; charset=utf-8"),
            "inbox.js": (PackageResources.inbox_js, "text/javascript; charset=utf-8"),
        ]
        guard let (body, type) = assets[name] else { throw APIFailure(404, "There is no asset \(name).") }
        guard name.hasSuffix(".js") else { return HTTPResponse(status: 200, contentType: type, body: body) }
        let script = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "__TOKEN__", with: token)
        return HTTPResponse(status: 200, contentType: type, body: Array(script.utf8))
    }
}
