// The configuration form, generated from the connector's form items (Logto's formItems shape).
// Each input's name is the config's JSON path; masked secrets stay masked unless retyped.
import { call, el, describeError, state } from "./api.js?token=__TOKEN__";
const groupTitles = { server: "Server", security: "Security", auth: "Authentication", sender: "Sender", templates: "Templates", advanced: "Advanced" };
const fieldID = (key) => "field-" + key;

function getPath(object, path) {
  return path.split(".").reduce((value, key) => (value && typeof value === "object" ? value[key] : undefined), object);
}
function setPath(object, path, value) {
  const keys = path.split(".");
  let current = object;
  for (const key of keys.slice(0, -1)) {
    if (typeof current[key] !== "object" || current[key] === null || Array.isArray(current[key])) current[key] = {};
    current = current[key];
  }
  current[keys[keys.length - 1]] = value;
}
function deletePath(object, path) {
  const keys = path.split(".");
  const parent = keys.slice(0, -1).reduce((value, key) => (value && typeof value === "object" ? value[key] : undefined), object);
  if (parent && typeof parent === "object") delete parent[keys[keys.length - 1]];
}
function pruneEmpty(object) {
  for (const [key, value] of Object.entries(object)) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      pruneEmpty(value);
      if (Object.keys(value).length === 0) delete object[key];
    }
  }
  return object;
}

function inputFor(item, value) {
  const common = { id: fieldID(item.key), name: item.key, "aria-describedby": fieldID(item.key) + "-help" };
  if (item.required) common["aria-required"] = "true";
  // A stored secret of any type (a number or switch under auth included) shows as the mask,
  // and the mask goes back unchanged unless the operator types over it.
  if (value === state.mask && item.type !== "Select") {
    const masked = el("input", { ...common, type: "password", "data-masked": "true", autocomplete: "new-password" });
    masked.value = state.mask;
    return masked;
  }
  switch (item.type) {
    case "Switch": {
      const checked = value === undefined ? item.defaultValue === true : value === true;
      return el("input", { ...common, type: "checkbox", checked });
    }
    case "Select": {
      const select = el("select", common, el("option", { value: "" }, "(default)"));
      item.selectItems.forEach((option, index) => select.append(el("option", { value: String(index) }, option.title)));
      if (value === state.mask) select.append(el("option", { value: "masked" }, "(stored, hidden)"));
      const wanted = value === undefined ? item.defaultValue : value;
      const index = item.selectItems.findIndex((option) => JSON.stringify(option.value) === JSON.stringify(wanted));
      select.value = value === state.mask ? "masked" : index >= 0 ? String(index) : "";
      return select;
    }
    case "Json":
    case "MultilineText": {
      const text = value === undefined ? "" : item.type === "Json" && value !== state.mask ? JSON.stringify(value, null, 2) : String(value);
      const area = el("textarea", { ...common, rows: item.type === "Json" ? 8 : 4, placeholder: item.placeholder, spellcheck: "false" });
      area.value = text;
      return area;
    }
    default: {
      const type = item.isConfidential ? "password" : item.type === "Number" ? "number" : "text";
      const input = el("input", { ...common, type, placeholder: item.placeholder || (item.defaultValue != null ? "default " + item.defaultValue : null), autocomplete: item.isConfidential ? "new-password" : "off" });
      input.value = value === undefined || value === null ? "" : String(value);
      return input;
    }
  }
}

function fieldFor(item, value) {
  const id = fieldID(item.key);
  return el("div", { class: "field", "data-key": item.key },
    el("label", { for: id, class: item.required ? "required" : null }, item.label),
    inputFor(item, value),
    el("p", { id: id + "-help", class: "help" }, item.description || ""),
    el("p", { id: id + "-source", class: "source" }),
    el("p", { id: id + "-message", class: "message" }));
}

/** Draws the form of `connector` with `config` (masked) in it; keeps keys the form has no field for. */
function render(connector, config) {
  state.connector = connector;
  state.items = connector.formItems;
  state.extras = JSON.parse(JSON.stringify(config || {}));
  for (const item of state.items) deletePath(state.extras, item.key);
  pruneEmpty(state.extras);
  const form = document.getElementById("config-form");
  form.replaceChildren();
  for (const group of Object.keys(groupTitles)) {
    const items = state.items.filter((item) => item.group === group);
    if (!items.length) continue;
    const fields = items.map((item) => fieldFor(item, getPath(config || {}, item.key)));
    const collapsed = group === "advanced" && connector.preset;
    form.append(collapsed
      ? el("details", { class: "group", "data-group": group }, el("summary", {}, groupTitles[group] + " (optional overrides)"), fields)
      : el("fieldset", { "data-group": group }, el("legend", {}, groupTitles[group]), fields));
  }
  document.getElementById("connector-description").textContent = connector.description + (connector.docs ? " Docs: " + connector.docs : "");
  applyConditions();
}

function control(key) { return document.getElementById(fieldID(key)); }

/** The value a field holds, as config JSON; undefined when it is empty or left at its default. */
function readField(item) {
  const input = control(item.key);
  if (!input) return { value: undefined };
  if (input.dataset.masked) {
    if (input.value === state.mask) return { value: state.mask };
    if (input.value === "") return { value: undefined };
    if (item.type === "Number") return { value: Number.isFinite(Number(input.value)) ? Number(input.value) : input.value };
    if (item.type === "Switch") return { value: input.value === "true" };
    return { value: input.value };
  }
  // A switch or select the operator changed is sent as chosen, even when it equals the generic
  // default: a preset may have set the opposite (Resend's secure: true).
  const touched = input.dataset.touched === "true";
  switch (item.type) {
    case "Switch": {
      const on = input.checked;
      return { value: !touched && on === (item.defaultValue === true) ? undefined : on };
    }
    case "Select": {
      if (input.value === "masked") return { value: state.mask };
      if (input.value === "") return { value: undefined };
      const chosen = item.selectItems[Number(input.value)].value;
      return { value: !touched && JSON.stringify(chosen) === JSON.stringify(item.defaultValue) ? undefined : chosen };
    }
    case "Json": {
      const text = input.value.trim();
      if (!text) return { value: undefined };
      if (text === state.mask) return { value: state.mask };
      try { return { value: JSON.parse(text) }; } catch (error) { return { error: "is not valid JSON: " + error.message }; }
    }
    case "Number": {
      const text = input.value.trim();
      if (!text) return { value: undefined };
      const number = Number(text);
      return { value: Number.isFinite(number) ? number : text };
    }
    default: {
      const text = input.value;
      return { value: text === "" ? undefined : text };
    }
  }
}

function conditionsMet(item, values) {
  return (item.showConditions || []).every((condition) => {
    const current = values[condition.targetKey];
    // A masked controller could hold anything: show what depends on it.
    return current === state.mask || JSON.stringify(current === undefined ? defaultOf(condition.targetKey) : current) === JSON.stringify(condition.expectValue);
  });
}
function defaultOf(key) { const item = state.items.find((candidate) => candidate.key === key); return item ? item.defaultValue : undefined; }

function applyConditions() {
  const values = {};
  for (const item of state.items) values[item.key] = readField(item).value;
  for (const item of state.items) {
    const field = document.querySelector(`.field[data-key="${CSS.escape(item.key)}"]`);
    if (field) field.hidden = !conditionsMet(item, values);
  }
}

/** The draft the API takes: {connector, config}, plus problems found before sending (bad JSON). */
function collect() {
  const config = JSON.parse(JSON.stringify(state.extras || {}));
  const local = [];
  const values = {};
  for (const item of state.items) values[item.key] = readField(item).value;
  for (const item of state.items) {
    if (!conditionsMet(item, values)) continue;
    const { value, error } = readField(item);
    if (error) local.push({ field: item.key, path: item.key, message: error });
    else if (value !== undefined) setPath(config, item.key, value);
  }
  return { draft: { connector: state.connector.id, config }, local };
}

/** Marks each issue at its field (aria-invalid, message named by aria-describedby); the rest go on top. */
function showIssues(issues, sources) {
  for (const item of state.items || []) {
    const input = control(item.key);
    const message = document.getElementById(fieldID(item.key) + "-message");
    const source = document.getElementById(fieldID(item.key) + "-source");
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", fieldID(item.key) + "-help");
    message.textContent = "";
    const origin = Object.entries(sources || {}).find(([path]) => path === item.key || path.startsWith(item.key + ".") || path.startsWith(item.key + "["));
    source.textContent = origin && readField(item).value === undefined ? "from " + origin[1] : "";
  }
  const general = [];
  for (const issue of issues) {
    const input = issue.field ? control(issue.field) : null;
    const text = (issue.path !== issue.field ? issue.path + " " : "") + issue.message + (issue.hint ? " " + issue.hint : "") + (issue.source ? " (from " + issue.source + ")" : "");
    if (input && !input.closest(".field").hidden) {
      const message = document.getElementById(fieldID(issue.field) + "-message");
      message.textContent = message.textContent ? message.textContent + " " + text : text;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", fieldID(issue.field) + "-message");
      const details = input.closest("details");
      if (details) details.open = true;
    } else {
      general.push(issue.path + ": " + issue.message + (issue.hint ? " " + issue.hint : "") + (issue.source ? " (from " + issue.source + ")" : ""));
    }
  }
  const box = document.getElementById("general-issues");
  box.replaceChildren(...(general.length ? [el("strong", {}, "Problems without a field here:"), el("ul", {}, general.map((line) => el("li", {}, line)))] : []));
}

let timer = null;
let sequence = 0;
/** Validates the form with the same validator as `smtp-connector validate`; the latest answer wins. */
async function validate() {
  const { draft, local } = collect();
  const mine = ++sequence;
  const { body } = await call("POST", "/api/validate", draft);
  if (mine !== sequence) return null;
  const issues = local.concat(body.issues || (body.error ? [{ path: "", message: body.error.message, hint: body.error.hint }] : []));
  showIssues(issues, body.sources);
  return issues;
}
function scheduleValidation() {
  clearTimeout(timer);
  timer = setTimeout(validate, 250);
}

async function load() {
  const [connectors, current] = await Promise.all([call("GET", "/api/connectors"), call("GET", "/api/state")]);
  if (!connectors.body.connectors) {
    document.body.prepend(el("p", { class: "issues", role: "alert" }, describeError(connectors.body.error)));
    return;
  }
  state.connectors = connectors.body.connectors;
  Object.assign(state, { mask: current.body.mask, configFile: current.body.configFile, devServer: current.body.devServer, usageTypes: current.body.usageTypes });
  const picker = document.getElementById("connector");
  for (const connector of state.connectors) picker.append(el("option", { value: connector.id }, connector.name + (connector.preset ? " (preset)" : "")));
  const start = state.connectors.find((connector) => connector.id === current.body.connector) || state.connectors.find((connector) => connector.id === "smtp");
  picker.value = start.id;
  render(start, current.body.config);
  picker.addEventListener("change", () => {
    // Carry over only what the new form has a field for: a host typed for smtp must not
    // override a preset's host behind the operator's back.
    const { draft } = collect();
    const next = state.connectors.find((connector) => connector.id === picker.value);
    const carried = {};
    for (const item of next.formItems) {
      const value = getPath(draft.config, item.key);
      if (value !== undefined) setPath(carried, item.key, value);
    }
    render(next, carried);
    validate();
  });
  const form = document.getElementById("config-form");
  form.addEventListener("input", () => { applyConditions(); scheduleValidation(); });
  form.addEventListener("change", (event) => {
    if (event.target instanceof HTMLElement) event.target.dataset.touched = "true";
    applyConditions();
    scheduleValidation();
  });
  document.getElementById("config-file").textContent = state.configFile ? "Config file: " + state.configFile : "No config file: Save is off, Download works.";
  document.dispatchEvent(new CustomEvent("console:ready"));
  validate();
}

export { collect, validate, showIssues };
document.addEventListener("DOMContentLoaded", load);
