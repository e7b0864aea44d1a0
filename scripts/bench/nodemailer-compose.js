// The mime-benchmark workloads with nodemailer's MailComposer (Debian's node-nodemailer).
//   node nodemailer-compose.js small COUNT | attachment MB REPEAT
const MailComposer = require(process.env.NODEMAILER_PATH || 'nodemailer/lib/mail-composer');
const crypto = require('crypto');

const build = (mail) => new Promise((resolve, reject) =>
  new MailComposer(mail).compile().build((error, message) => (error ? reject(error) : resolve(message))));

function smallMessage(index) {
  return {
    from: '"Acme Café" <no-reply@example.com>',
    to: `user${index}@example.org`,
    subject: `Your code for Acme Café — ${index}`,
    text: `Your verification code is ${100000 + index}. It expires in ten minutes. `.repeat(14),
    html: '<html><body><p>' + `Your verification code is <b>${100000 + index}</b>. `.repeat(17) + '</p></body></html>',
  };
}

(async () => {
  const [workload, countText, repeatText] = process.argv.slice(2);
  const count = Number(countText);
  if (workload === 'small') {
    let bytes = 0;
    await build(smallMessage(0));
    const start = process.hrtime.bigint();
    for (let index = 0; index < count; index++) bytes += (await build(smallMessage(index))).length;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(JSON.stringify({ messages: count, seconds, messagesPerSecond: count / seconds, averageBytes: Math.floor(bytes / count) }));
  } else {
    const repeats = Number(repeatText || 5);
    const data = crypto.randomBytes(count * 1000000);
    const mail = { from: 'no-reply@example.com', to: 'a@example.org', subject: 'Report', text: 'Attached.',
      attachments: [{ filename: 'report.bin', content: data }] };
    await build(mail);
    let output = 0;
    const start = process.hrtime.bigint();
    for (let index = 0; index < repeats; index++) output += (await build(mail)).length;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(JSON.stringify({ megabytes: count, repeats, seconds, base64MBPerSecond: output / 1e6 / seconds }));
  }
})();
