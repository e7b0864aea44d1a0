// The console's API client and shared helpers, an ES module the other scripts import (nothing is
// shared through window). The access token comes from the page's own URL and lives only in this
// module's memory: never in a cookie or in storage.
const token = new URLSearchParams(location.search).get("token") || "";

/** Calls the JSON API; resolves to {status, body}. Errors come back as {"error": {...}} bodies. */
export async function call(method, path, body) {
  const headers = { "Authorization": "Bearer " + token };
  if (method !== "GET") headers["X-Console-Request"] = "1";
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (error) {
    return { status: 0, body: { error: { code: "unreachable", message: "The console did not answer: " + error.message, hint: "Is smtp-connector console still running?" } } };
  }
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : {}; } catch (_) { parsed = { text }; }
  return { status: response.status, body: parsed, response };
}

/** A URL for the frame and download links, which cannot send a header. */
export function tokenURL(path) { return path + "?token=" + encodeURIComponent(token); }

/** Builds an element: el("p", {class: "x"}, "text", child...). Text is always text, never HTML. */
export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** One line describing an API error: code, phase, server reply and hint. */
export function describeError(error) {
  if (!error) return "Unknown error";
  const lines = [error.message || "Failed"];
  const facts = [];
  if (error.code) facts.push("code " + error.code);
  if (error.phase) facts.push("phase " + error.phase);
  if (facts.length) lines.push(facts.join(", "));
  if (error.reply) lines.push("Server replied: " + [error.reply.code, error.reply.enhancedCode, error.reply.text].filter(Boolean).join(" "));
  if (error.hint) lines.push("Fix: " + error.hint);
  return lines.join("\n");
}

export function showView(name) {
  for (const tab of document.querySelectorAll("nav .tab")) tab.setAttribute("aria-pressed", String(tab.dataset.view === name));
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== "view-" + name;
  document.dispatchEvent(new CustomEvent("console:view", { detail: name }));
}

document.addEventListener("DOMContentLoaded", () => {
  for (const tab of document.querySelectorAll("nav .tab")) tab.addEventListener("click", () => showView(tab.dataset.view));
});

/** What the page learned at load (connectors, state), shared by the modules that import it. */
export const state = {};
