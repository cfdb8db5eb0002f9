// The lock screen: the lane locked by F12, by the Lock button or after five idle minutes,
// and unlocked by the signed-in cashier's PIN.

import { postForm } from "./api.js";
import { $, app } from "./page.js";
import { state } from "./state.js";

const IDLE_MS = 5 * 60 * 1000;

// The screen is covered at once, whether or not the store box answers: a lane left alone
// never shows its basket. The box is told so that a reload stays locked.
export async function lock() {
  showLock(true);
  const response = await postForm(app.dataset.lockUrl).catch(() => null);
  if (response?.status === 401) window.location.reload();
}

export function showLock(locked) {
  state.locked = locked;
  $("lock-screen").hidden = !locked;
  if (locked) {
    for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
    $("unlock-pin").value = "";
    $("unlock-pin").focus();
  } else {
    $("entry-input").focus();
  }
}

// The unlock form; `unlocked` runs once the PIN was right.
export function listenForUnlock(unlocked) {
  $("unlock").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new URLSearchParams({ pin: $("unlock-pin").value });
    const response = await postForm(app.dataset.unlockUrl, body).catch(() => null);
    if (response === null) {
      $("unlock-error").textContent = "The store box is not answering: try again";
      $("unlock-pin").value = "";
      return;
    }
    const data = await response.json().catch(() => ({ detail: "Try again" }));
    if (response.ok) {
      $("unlock-error").textContent = "";
      showLock(false);
      unlocked();
    } else if (response.status === 401) {
      window.location.reload();
    } else {
      $("unlock-error").textContent = data.detail;
      $("unlock-pin").value = "";
    }
  });
}

// Lock by itself after five idle minutes: every key and touch starts the wait again.
let idle = null;
export function awake() {
  clearTimeout(idle);
  idle = setTimeout(() => {
    if (!state.locked) lock();
  }, IDLE_MS);
}

export function lockWhenIdle() {
  for (const name of ["keydown", "pointerdown"]) document.addEventListener(name, awake, true);
}
