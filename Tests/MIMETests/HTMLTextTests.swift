import Testing
@testable import MIME

@Suite struct HTMLTextTests {
    @Test func keepsLinksDropsTagsAndDecodesEntities() {
        let html = """
        <html><head><title>x</title><style>p { color: red }</style></head><body>
        <h1>Welcome to Acme &amp; Co</h1>
        <p>Hello   Zo&euml;&#44; your code is <b>123456</b>.</p>
        <p><a href="https://acme.example/verify?t=1&amp;u=2">Verify your email</a> or
        <a href="https://acme.example/help">https://acme.example/help</a>.</p>
        <ul><li>First</li><li>Second &lt;item&gt;</li></ul>
        <script>alert(1)</script><!-- hidden -->Line<br>break &#x2014; done&nbsp;&#128512;
        </body></html>
        """
        let text = HTMLText.plainText(from: html)
        #expect(text == """
        Welcome to Acme & Co

        Hello Zo&euml;, your code is 123456.

        Verify your email (https://acme.example/verify?t=1&u=2) or https://acme.example/help.

        - First
        - Second <item>

        Line
        break — done 😀

        """)
    }

    @Test func mailtoLinksShowTheAddress() {
        #expect(HTMLText.plainText(from: #"<a href="mailto:help@acme.example">Contact us</a>"#) == "Contact us (help@acme.example)\n")
    }
}
