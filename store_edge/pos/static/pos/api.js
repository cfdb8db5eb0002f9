// Talking to the store: the lane API (/api/v1) with the lane's cookie, the cashier's session
// and the CSRF token; the store server's answers and errors as the page shows them; and
// whether the store server answers at all.

import { hhmm } from "./formats.js";
import { banner } from "./messages.js";
import { state } from "./state.js";

const API = "/api/v1";
const CSRF = document.querySelector('meta[name="csrf-token"]').content;

let storeDownSince = null;
let storeBack = () => undefined;

// What to do when the store server answers again after it did not.
export function whenStoreBack(handler) {
  storeBack = handler;
}

export function storeIsDown() {
  return storeDownSince !== null;
}

export async function api(method, path, body) {
  const request = {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF },
  };
  if (body !== undefined) request.body = JSON.stringify(body);
  let response;
  try {
    response = await fetch(API + path, request);
  } catch {
    storeDown();
    return { ok: false, status: 0, data: { detail: "The store server does not answer: try again" } };
  }
  storeUp();
  if (response.status === 401 && !state.locked) {
    // Locked on another tab, or the session ended: the page shows why.
    window.location.reload();
  }
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = { detail: `The store server answered ${response.status}` };
  }
  return { ok: response.ok, status: response.status, data };
}

// A form posted to one of the page's own views (the lock and the unlock), with the CSRF token.
export function postForm(url, body) {
  return fetch(url, { method: "POST", body, headers: { "X-CSRFToken": CSRF }, credentials: "same-origin" });
}

export function detail(data) {
  if (typeof data.detail === "string") return data.detail;
  if (Array.isArray(data.detail) && data.detail.length) {
    const first = data.detail[0];
    const where = (first.loc || []).filter((part) => part !== "body").join(" ");
    return `${where}: ${first.msg}`;
  }
  return "Something went wrong";
}

// Every change to the basket goes through one queue, so that fast scans are rung in order.
let queue = Promise.resolve();
export function serial(task) {
  const next = queue.then(task, task);
  queue = next.catch(() => undefined);
  return next;
}

function storeDown() {
  if (storeDownSince === null) storeDownSince = new Date();
  banner(`The lane cannot reach the store server since ${hhmm(storeDownSince)}: nothing is being recorded, check the store box`, true);
}

function storeUp() {
  if (storeDownSince !== null) {
    storeDownSince = null;
    banner("");
    storeBack();
  }
}
