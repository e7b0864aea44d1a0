import Testing
@testable import ConnectorKit

@Suite struct TemplateRendererTests {
    let payload: ConfigValue = [
        "code": "123456",
        "application": ["name": "Acme & Co"],
        "list": [["name": "first"], ["name": "second"]],
        "user": ["name": "<script>alert(1)</script>"],
        "number": 42,
        "multiline": "line1\r\nBcc: victim@example.com",
    ]

    @Test func fillsPlaceholdersWithOrWithoutSpaces() {
        let renderer = TemplateRenderer(payload: payload)
        #expect(renderer.render("Code {{code}} / {{ code }} / {{   code   }}", escaping: .none)
                == "Code 123456 / 123456 / 123456")
    }

    @Test func followsDotPathsIntoObjectsAndArrays() {
        let renderer = TemplateRenderer(payload: payload)
        #expect(renderer.render("{{ application.name }}|{{ list.1.name }}|{{number}}", escaping: .none)
                == "Acme & Co|second|42")
    }

    @Test func unknownRootIsLeftVerbatimAndMissingNestedValueIsEmpty() {
        let renderer = TemplateRenderer(payload: payload)
        #expect(renderer.render("[{{ unknown.thing }}] [{{ application.missing }}] [{{ list.9.name }}]", escaping: .none)
                == "[{{ unknown.thing }}] [] []")
    }

    @Test func nonASCIITextAroundMarkersAndBraceRunsComeThroughByteForByte() {
        let renderer = TemplateRenderer(payload: payload)
        #expect(renderer.render("Grüße 🎉 {{code}} — {{{code}}} {{ code }}} é\u{301}{{code}}", escaping: .none)
                == "Grüße 🎉 123456 — {{{code}}} 123456} é\u{301}123456")
        #expect(renderer.render("no markers, ünïcode only", escaping: .none) == "no markers, ünïcode only")
        #expect(renderer.render("{{code}}", escaping: .none) == "123456")
        #expect(renderer.render("}}{{", escaping: .none) == "}}{{")
        let body = String(repeating: "x", count: 5000) + "{{code}}" + String(repeating: "ä", count: 3000)
        #expect(renderer.render(body, escaping: .none) == String(repeating: "x", count: 5000) + "123456" + String(repeating: "ä", count: 3000))
    }

    @Test func unterminatedAndEmptyMarkersStayAsWritten() {
        let renderer = TemplateRenderer(payload: payload)
        #expect(renderer.render("a {{ }} b {{code", escaping: .none) == "a {{ }} b {{code")
    }

    @Test func htmlEscapesInsertedValuesButNotTheTemplate() {
        let renderer = TemplateRenderer(payload: payload)
        #expect(renderer.render("<p>{{ user.name }} at {{application.name}}</p>", escaping: .html)
                == "<p>&lt;script&gt;alert(1)&lt;/script&gt; at Acme &amp; Co</p>")
    }

    @Test func headerLineEscapingCannotStartANewHeader() {
        let rendered = TemplateRenderer(payload: payload).render("Subject {{multiline}}", escaping: .headerLine)
        #expect(!rendered.unicodeScalars.contains { $0 == "\r" || $0 == "\n" })
        #expect(rendered == "Subject line1  Bcc: victim@example.com")
    }
}

@Suite struct TemplateCatalogTests {
    let catalog = TemplateCatalog([
        EmailTemplate(usageType: .signIn, subject: "sign in", content: "s"),
        EmailTemplate(usageType: .generic, subject: "generic", content: "g"),
        EmailTemplate(usageType: .register, subject: "register fr", content: "r", locale: "fr"),
        EmailTemplate(usageType: .register, subject: "register default", content: "r"),
        EmailTemplate(usageType: .register, subject: "register pt-BR", content: "r", locale: "pt-BR"),
    ])

    @Test func picksTheExactUsageType() throws {
        #expect(try catalog.template(for: .signIn).subject == "sign in")
    }

    @Test func fallsBackToGeneric() throws {
        #expect(try catalog.template(for: .mfaVerification).subject == "generic")
    }

    @Test func prefersTheLocaleThenTheLanguageThenNoLocale() throws {
        #expect(try catalog.template(for: .register, locale: "pt-BR").subject == "register pt-BR")
        #expect(try catalog.template(for: .register, locale: "fr-CA").subject == "register fr")
        #expect(try catalog.template(for: .register, locale: "de").subject == "register default")
        #expect(try catalog.template(for: .register).subject == "register default")
    }

    @Test func withoutGenericTheErrorIsTemplateNotFound() {
        let catalog = TemplateCatalog([EmailTemplate(usageType: .signIn, subject: "s", content: "s")])
        #expect {
            try catalog.template(for: .bindMfa)
        } throws: { error in
            (error as? ConnectorError)?.code == .templateNotFound
                && (error as? ConnectorError)?.message.contains("BindMfa") == true
        }
    }

    @Test func knowsAllNineLogtoUsageTypes() {
        #expect(UsageType.allCases.map(\.rawValue) == [
            "SignIn", "Register", "ForgotPassword", "OrganizationInvitation", "Generic",
            "UserPermissionValidation", "BindNewIdentifier", "MfaVerification", "BindMfa",
        ])
    }
}

/// The reason preview gives for each pick follows the selection order.
@Suite struct TemplateSelectionReasonTests {
    private let catalog = TemplateCatalog([
        EmailTemplate(usageType: .generic, subject: "g", content: "g"),
        EmailTemplate(usageType: .signIn, subject: "fr", content: "fr", locale: "fr"),
        EmailTemplate(usageType: .signIn, subject: "plain", content: "plain"),
    ])

    @Test func eachPickSaysWhy() throws {
        let exact = try catalog.selection(for: .signIn, locale: "fr")
        #expect(exact.index == 1 && exact.reason.contains("same locale"))
        let language = try catalog.selection(for: .signIn, locale: "fr-CA")
        #expect(language.index == 1 && language.reason.contains("same language"))
        let plain = try catalog.selection(for: .signIn, locale: "de")
        #expect(plain.index == 2 && plain.reason.contains("without a locale"))
        let generic = try catalog.selection(for: .register)
        #expect(generic.index == 0 && generic.reason.contains("Generic"))
        #expect(try catalog.template(for: .signIn, locale: "fr").subject == "fr")
        #expect(throws: ConnectorError.self) { try TemplateCatalog([]).selection(for: .signIn) }
    }
}
