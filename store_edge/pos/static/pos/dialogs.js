// Asking the cashier for a few values in the page's one form dialog.

import { $ } from "./page.js";

// Ask for a few values in a dialog; resolves to {name: value} or null when cancelled.
export function ask(title, fields, { submit = "OK", intro = "", scan = null } = {}) {
  return new Promise((resolve) => {
    const dialog = $("form-dialog");
    const form = $("form");
    form.textContent = "";
    const heading = document.createElement("h2");
    heading.textContent = title;
    form.appendChild(heading);
    if (intro) {
      const text = document.createElement("p");
      text.textContent = intro;
      form.appendChild(text);
    }
    for (const field of fields) {
      if (field.element) {
        form.appendChild(field.element);
        continue;
      }
      const label = document.createElement("label");
      label.textContent = field.label;
      label.htmlFor = `field-${field.name}`;
      const input = document.createElement("input");
      input.id = `field-${field.name}`;
      input.name = field.name;
      input.autocomplete = "off";
      input.value = field.value || "";
      if (field.type) input.type = field.type;
      if (field.inputmode) input.inputMode = field.inputmode;
      if (field.hint) input.placeholder = field.hint;
      input.maxLength = field.maxlength || 64;
      form.append(label, input);
    }
    const error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "alert");
    const row = document.createElement("div");
    row.className = "row";
    const ok = document.createElement("button");
    ok.type = "submit";
    ok.className = "primary";
    ok.textContent = submit;
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = "Cancel";
    row.append(ok, cancel);
    form.append(error, row);
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      delete dialog.dataset.scan;
      dialog.close();
      resolve(value);
    };
    form.onsubmit = (event) => {
      event.preventDefault();
      const values = {};
      for (const field of fields.filter((f) => !f.element)) {
        const value = form.elements[field.name].value.trim();
        if (!field.optional && !value) {
          error.textContent = `${field.label}: needed`;
          return;
        }
        if (value && field.pattern && !field.pattern.test(value)) {
          error.textContent = `${field.label}: ${field.hint ? "write it " + field.hint : "not valid"}`;
          return;
        }
        values[field.name] = value;
      }
      if (fields.validate) {
        const problem = fields.validate(values, form);
        if (problem) {
          error.textContent = problem;
          return;
        }
      }
      finish(values);
    };
    cancel.onclick = () => finish(null);
    // A close event queued by the dialog's previous use arrives after it reopened: ignore it.
    dialog.onclose = () => {
      if (!dialog.open) finish(null);
    };
    if (scan) dialog.dataset.scan = scan;
    else delete dialog.dataset.scan;
    dialog.showModal();
    const first = form.querySelector("input");
    if (first) first.focus();
  });
}

export const supervisorFields = [
  { name: "supervisor", label: "Supervisor code", maxlength: 16 },
  { name: "pin", label: "Supervisor PIN", type: "password", inputmode: "numeric", maxlength: 8 },
];
