// The keyboard's shortcuts: F2 the code field, F4 a line's quantity, F8 void the line, F9
// suspend, F10 pay, F12 lock; Esc stops waiting for the scale; ↑/↓ select a basket line.

import { moveSelection } from "./basket.js";
import { $ } from "./page.js";
import { state } from "./state.js";

export function listenForKeys(actions) {
  const entry = $("entry-input");
  document.addEventListener("keydown", (event) => {
    if (state.locked) return;
    const keys = { F2: () => entry.focus(), F4: actions.quantity, F8: actions.void, F9: actions.suspend, F10: actions.pay, F12: actions.lock };
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]();
      return;
    }
    if (event.key === "Escape" && state.weighing) {
      actions["weigh-cancel"]();
    }
    if (!document.querySelector("dialog[open]") && state.basket && (event.key === "ArrowDown" || event.key === "ArrowUp") && document.activeElement !== entry) {
      if (moveSelection(event.key === "ArrowDown" ? 1 : -1)) event.preventDefault();
    }
  });
}
