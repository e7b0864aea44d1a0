// A load generator on nodemailer (Debian's node-nodemailer) for scripts/bench-smtp.sh: N messages
// over C pooled connections, or a new connection each, plaintext, implicit TLS or STARTTLS (+ AUTH), with TCP_NODELAY
// on every socket. Prints sent=K errors=E inner_s=S.
const net = require('net');
const fs = require('fs');
const nodemailer = require('nodemailer');

// TCP_NODELAY on every socket nodemailer opens (it does not set it itself).
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
    this.setNoDelay(true);
    return connect.apply(this, args);
};

const options = Object.fromEntries(process.argv.slice(2).map((argument) => {
    const [key, value] = argument.replace(/^--/, '').split('=');
    return [key, value === undefined ? true : value];
}));
const total = Number(options.n || 1000), connections = Number(options.c || 1), size = Number(options.size || 2048);
const line = '0123456789abcdefghij'.repeat(4).slice(0, 74) + '\r\n';
const body = line.repeat(Math.floor(size / line.length)) + 'x'.repeat(size % line.length);
const secure = options.tls === true, fresh = options.fresh === true, starttls = options.starttls === true;

// --user: AUTH with the password in SMTP_BENCH_PASSWORD (PLAIN when offered, as ours does).
const transport = nodemailer.createTransport({
    host: options.host || '127.0.0.1', port: Number(options.port), secure, ignoreTLS: !secure && !starttls,
    requireTLS: starttls, pool: !fresh, maxConnections: connections, maxMessages: Infinity,
    tls: secure || starttls ? { ca: fs.readFileSync(options.ca), servername: 'localhost' } : undefined,
    auth: options.user ? { user: options.user, pass: process.env.SMTP_BENCH_PASSWORD } : undefined,
    authMethod: 'PLAIN',
});

let next = 0, sent = 0, failed = 0;
async function worker() {
    for (;;) {
        const index = next++;
        if (index >= total) return;
        const raw = `From: bench@example.test\r\nTo: sink@example.test\r\nSubject: bench ${index}\r\n\r\n${body}`;
        try {
            await transport.sendMail({ envelope: { from: 'bench@example.test', to: [`sink${index % 100}@example.test`] }, raw });
            sent++;
        } catch (error) {
            failed++;
        }
    }
}

const start = process.hrtime.bigint();
Promise.all(Array.from({ length: connections }, worker)).then(() => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`sent=${sent} errors=${failed} inner_s=${seconds.toFixed(3)}`);
    transport.close();
});
