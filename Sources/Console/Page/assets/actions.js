// Test send, Diagnose, Save, Download and Preview: each posts the form's draft to the API and
// shows the answer in a status region (role="status").
import { call, el, describeError, state } from "./api.js?token=__TOKEN__";
import { collect, showIssues } from "./form.js?token=__TOKEN__";
const $ = (id) => document.getElementById(id);

function setStatus(kind, text) {
  const status = $("status");
  status.className = kind;
  status.textContent = text;
}

async function busy(button, work) {
  button.disabled = true;
  try { await work(); } finally { button.disabled = false; }
}

function testChoices() {
  return { to: $("testRecipient").value.trim(), usageType: $("usageType").value, locale: $("locale").value.trim(), code: $("code").value.trim() };
}

/** Shows an error answer; config issues go to their fields. */
function showFailure(prefix, body) {
  const error = body.error || { message: "The console answered without a result." };
  if (error.issues) showIssues(error.issues.map((issue) => ({ ...issue, field: fieldOf(issue.path) })), {});
  setStatus("failed", prefix + "\n" + describeError(error));
}
function fieldOf(path) {
  const keys = (state.items || []).map((item) => item.key).filter((key) => path === key || path.startsWith(key + ".") || path.startsWith(key + "["));
  return keys.sort((a, b) => b.length - a.length)[0] || null;
}

async function sendTest() {
  const recipientMessage = $("testRecipient-message");
  recipientMessage.textContent = "";
  $("testRecipient").removeAttribute("aria-invalid");
  const test = testChoices();
  if (!test.to) {
    $("testRecipient").setAttribute("aria-invalid", "true");
    recipientMessage.textContent = "Type the address the test should go to.";
    setStatus("failed", "Not sent: the test needs a recipient.");
    return;
  }
  const { draft, local } = collect();
  if (local.length) { showIssues(local, {}); setStatus("failed", "Not sent: fix the marked fields first."); return; }
  setStatus("", "Sending a " + test.usageType + " test to " + test.to + "…");
  const { status, body } = await call("POST", "/api/send-test", { ...draft, test });
  if (status === 200) {
    const rejected = (body.rejected || []).map((entry) => "\nRejected " + entry.address + ": " + entry.reply).join("");
    setStatus("ok", "Sent. Message-ID: <" + body.messageId + ">\nServer: " + body.response + rejected);
    document.dispatchEvent(new CustomEvent("console:sent", { detail: body }));
  } else {
    showFailure("Not sent.", body);
  }
}

async function diagnose() {
  const { draft } = collect();
  setStatus("", "Diagnosing: DNS, TCP, TLS, greeting, EHLO, STARTTLS, AUTH and MAIL FROM, without sending…");
  const { status, body } = await call("POST", "/api/doctor", draft);
  const table = $("doctor");
  if (status !== 200) { table.hidden = true; showFailure("Diagnose could not run.", body); return; }
  table.tBodies[0].replaceChildren(...body.steps.map((step) => el("tr", { "data-step": step.name },
    el("td", {}, step.name), el("td", { class: step.status }, step.status), el("td", {}, step.ms + " ms"),
    el("td", {}, step.detail), el("td", {}, step.hint || ""))));
  table.hidden = false;
  setStatus(body.ok ? "ok" : "failed", body.ok ? "Every step needed to send works; nothing was sent." : "A step failed: see its fix below.");
}

async function save() {
  const { draft } = collect();
  const { status, body } = await call("POST", "/api/config/save", draft);
  if (status === 200) setStatus("ok", "Saved to " + body.saved + " (mode 0600).");
  else showFailure("Not saved.", body);
}

async function download() {
  const { draft } = collect();
  const { status, body, response } = await call("POST", "/api/config/export", draft);
  if (status !== 200) { showFailure("Nothing to download.", body); return; }
  const blob = new Blob([JSON.stringify(body, null, 2) + "\n"], { type: "application/json" });
  const link = el("a", { href: URL.createObjectURL(blob), download: "connector-config.json" });
  document.body.append(link);
  link.click();
  link.remove();
  setStatus("ok", "Downloaded connector-config.json. Secrets in it are masked: put them back, or use Save.");
  void response;
}

async function preview() {
  const { draft } = collect();
  const previewStatus = $("preview-status");
  previewStatus.className = "";
  previewStatus.textContent = "";
  const { status, body } = await call("POST", "/api/preview", { ...draft, test: testChoices() });
  const table = $("preview-table");
  if (status !== 200) {
    table.hidden = true;
    previewStatus.className = "failed";
    previewStatus.textContent = describeError(body.error) + ((body.error && body.error.issues) ? "\n" + body.error.issues.map((issue) => issue.path + ": " + issue.message).join("\n") : "");
    return;
  }
  table.tBodies[0].replaceChildren(...body.previews.map((row) => el("tr", {},
    el("td", {}, row.usageType), el("td", {}, row.locale || "(none)"),
    el("td", { class: row.template ? "" : "fail" }, row.template ? "#" + row.template.index + " " + row.template.usageType + (row.template.locale ? " " + row.template.locale : "") + " (" + row.template.contentType + ")" : "none"),
    el("td", {}, row.reason), el("td", {}, row.subject || ""))));
  table.hidden = false;
}

document.addEventListener("console:ready", () => {
  const usage = $("usageType");
  for (const type of state.usageTypes || ["Generic"]) usage.append(el("option", { value: type }, type));
  usage.value = "Generic";
  $("send-test").addEventListener("click", (event) => busy(event.currentTarget, sendTest));
  $("diagnose").addEventListener("click", (event) => busy(event.currentTarget, diagnose));
  $("save").addEventListener("click", (event) => busy(event.currentTarget, save));
  $("save").disabled = !state.configFile;
  $("save").title = state.configFile ? "Write " + state.configFile : "Start the console with --config FILE to save";
  $("download").addEventListener("click", (event) => busy(event.currentTarget, download));
  $("run-preview").addEventListener("click", (event) => busy(event.currentTarget, preview));
});
