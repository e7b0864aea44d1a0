// The inbox: what the console's DevServer captured, newest first, refreshed every 1.5 s without a
// reload. The HTML part shows in a frame with sandbox="" (no script, no forms, no same-origin)
// under its own strict policy (no remote loads).
import { call, el, tokenURL, describeError, state } from "./api.js?token=__TOKEN__";
const $ = (id) => document.getElementById(id);
let shownIDs = "";
let current = null;
let part = "html";

function formatSize(bytes) { return bytes < 1024 ? bytes + " B" : (bytes / 1024).toFixed(1) + " KB"; }
function formatTime(iso) { return new Date(iso).toLocaleTimeString(); }

async function refresh() {
  const { status, body } = await call("GET", "/api/messages");
  if (status !== 200) return;
  const ids = body.messages.map((message) => message.id).join(",");
  $("inbox-count").textContent = body.messages.length ? "(" + body.messages.length + ")" : "";
  if (ids === shownIDs) return;
  shownIDs = ids;
  $("inbox-empty").hidden = body.messages.length > 0;
  $("message-list").tBodies[0].replaceChildren(...body.messages.map((message) => {
    const row = el("tr", { "data-id": message.id, tabindex: 0, "aria-selected": String(current && current.id === message.id) },
      el("td", {}, message.from), el("td", {}, message.to.join(", ")), el("td", {}, message.subject),
      el("td", {}, formatTime(message.receivedAt)), el("td", {}, formatSize(message.size)));
    row.addEventListener("click", () => open(message.id));
    row.addEventListener("keydown", (event) => { if (event.key === "Enter") open(message.id); });
    return row;
  }));
}

let opening = 0;
async function open(id) {
  const mine = ++opening;
  const { status, body } = await call("GET", "/api/messages/" + id);
  if (mine !== opening) return;  // a later click won
  if (status !== 200) { $("message-part").replaceChildren(el("p", { class: "fail" }, describeError(body.error))); return; }
  current = body;
  for (const row of $("message-list").tBodies[0].rows) row.setAttribute("aria-selected", String(Number(row.dataset.id) === id));
  $("message-view").hidden = false;
  $("message-subject").textContent = body.subject || "(no subject)";
  $("message-meta").textContent = "From " + body.envelope.from + " to " + body.envelope.to.join(", ") + " · " + formatSize(body.size)
    + (body.tls ? " · " + body.tls : " · no TLS") + " · " + new Date(body.receivedAt).toLocaleString();
  show(part === "html" && !body.hasHTML ? "text" : part === "text" && body.hasHTML && lastChoice === "html" ? "html" : part);
}

function pre(text) { return el("pre", {}, text); }

let lastChoice = "html";
function show(which, chosen) {
  part = which;
  if (chosen) lastChoice = which;
  for (const button of document.querySelectorAll("#message-view .part")) button.setAttribute("aria-pressed", String(button.dataset.part === which));
  const message = current;
  const target = $("message-part");
  switch (which) {
    case "html":
      target.replaceChildren(message.hasHTML
        ? el("iframe", { id: "message-html", title: "HTML part of the message", sandbox: "", referrerpolicy: "no-referrer", src: tokenURL("/inbox/" + message.id + "/html") })
        : el("p", { class: "muted" }, "This message has no HTML part."));
      break;
    case "text":
      target.replaceChildren(message.text === null ? el("p", { class: "muted" }, "This message has no plain-text part.") : pre(message.text));
      break;
    case "headers":
      target.replaceChildren(el("table", {}, el("tbody", {}, message.headers.map((header) => el("tr", {}, el("th", { scope: "row" }, header.name), el("td", {}, header.value))))));
      break;
    case "raw":
      target.replaceChildren(pre(message.raw));
      break;
    case "attachments":
      target.replaceChildren(message.attachments.length
        ? el("ul", {}, message.attachments.map((attachment) => el("li", {},
            el("a", { href: tokenURL("/inbox/" + message.id + "/attachments/" + attachment.index), download: attachment.filename || "attachment" }, attachment.filename || "(no name)"),
            " " + attachment.mediaType + ", " + formatSize(attachment.size) + (attachment.contentId ? ", inline cid:" + attachment.contentId : ""))))
        : el("p", { class: "muted" }, "No attachments."));
      break;
    case "transcript":
      target.replaceChildren(pre(message.transcript.join("\n")));
      break;
    case "checks":
      target.replaceChildren(el("table", { id: "message-checks" }, el("tbody", {}, message.checks.map((check) =>
        el("tr", { "data-check": check.name }, el("th", { scope: "row" }, check.name), el("td", { class: check.status }, check.status), el("td", {}, check.detail))))));
      break;
  }
}

async function remove(id) {
  await call("DELETE", id === undefined ? "/api/messages" : "/api/messages/" + id);
  current = null;
  $("message-view").hidden = true;
  shownIDs = "";
  refresh();
}

document.addEventListener("console:ready", () => {
  if (!state.devServer) return;
  $("inbox-tab").hidden = false;
  for (const button of document.querySelectorAll("#message-view .part")) button.addEventListener("click", () => show(button.dataset.part, true));
  $("delete-message").addEventListener("click", () => current && remove(current.id));
  $("delete-all").addEventListener("click", () => remove());
  refresh();
  setInterval(() => { if (!document.hidden) refresh(); }, 1500);
});
document.addEventListener("console:sent", () => { if (state.devServer) refresh(); });
