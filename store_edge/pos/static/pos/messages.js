// What the page tells the cashier: a message under the code field, and the banner across
// the page for what holds the whole lane up (the store server or HQ out of reach).

import { $ } from "./page.js";

export function say(text, kind = "") {
  const message = $("message");
  message.textContent = text;
  message.className = `message ${kind}`;
}

export function banner(text, bad = false) {
  const element = $("banner");
  element.hidden = !text;
  element.textContent = text;
  element.className = bad ? "banner bad" : "banner";
}
