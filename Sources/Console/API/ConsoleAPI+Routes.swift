extension ConsoleAPI {
    /// Every route the console answers, in one table (Docs/Console.md lists the same).
    static let routes: [ConsoleRoute] = [
        ConsoleRoute("GET", "/", .none) { api, _ in .response(ConsolePage.html(token: api.token)) },
        ConsoleRoute("GET", "/assets/*", .none) { api, match in .response(try ConsolePage.asset(named: match.captured[0], token: api.token)) },
        ConsoleRoute("GET", "/api/connectors", .none) { api, _ in api.connectors() },
        ConsoleRoute("GET", "/api/state", .secrets) { api, _ in api.state() },
        ConsoleRoute("POST", "/api/validate", .secrets) { api, match in try api.validate(ConsoleDraft(match.request)) },
        ConsoleRoute("POST", "/api/resolve", .secrets) { api, match in try api.resolve(ConsoleDraft(match.request)) },
        ConsoleRoute("POST", "/api/send-test", .secrets) { api, match in
            try await api.sendTest(ConsoleDraft(match.request), TestSendRequest(match.request))
        },
        ConsoleRoute("POST", "/api/doctor", .secrets) { api, match in try await api.doctor(ConsoleDraft(match.request)) },
        ConsoleRoute("POST", "/api/preview", .secrets) { api, match in
            try await api.preview(ConsoleDraft(match.request), TestSendRequest(match.request))
        },
        ConsoleRoute("POST", "/api/config/save", .secrets) { api, match in try api.save(ConsoleDraft(match.request)) },
        ConsoleRoute("POST", "/api/config/export", .secrets) { api, match in try api.export(ConsoleDraft(match.request)) },
        ConsoleRoute("GET", "/api/messages", .none) { api, _ in try api.messages() },
        ConsoleRoute("DELETE", "/api/messages", .none) { api, _ in try api.deleteMessages() },
        ConsoleRoute("GET", "/api/messages/*", .none) { api, match in try api.message(number(match.captured[0])) },
        ConsoleRoute("DELETE", "/api/messages/*", .none) { api, match in try api.deleteMessage(number(match.captured[0])) },
        ConsoleRoute("GET", "/inbox/*/html", .none) { api, match in try api.messageHTML(number(match.captured[0])) },
        ConsoleRoute("GET", "/inbox/*/attachments/*", .none) { api, match in
            try api.attachment(number(match.captured[0]), number(match.captured[1]))
        },
    ]
}
