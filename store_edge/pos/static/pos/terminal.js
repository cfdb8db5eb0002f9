// The lane's payment terminal, as the page follows it: whether the lane has one, and a
// card payment or refund followed until the terminal has answered (its prompts shown
// meanwhile). What was charged or refunded is the store's record, never the page's.

import { api } from "./api.js";
import { app } from "./page.js";

export const TERMINAL_POLL_MS = 300;
const OPEN = ["pending", "sent", "unknown"];

export function hasTerminal() {
  return app.dataset.terminal === "true";
}

// Follow `payment` until it is no longer open; `show(text)` is told what to say meanwhile.
export async function followTerminal(payment, show) {
  let current = payment;
  while (OPEN.includes(current.state)) {
    show(current.state === "unknown"
      ? "Checking the terminal… (the outcome is not known yet)"
      : `Terminal: ${current.prompt || "waiting for the card"}`);
    await new Promise((resolve) => setTimeout(resolve, TERMINAL_POLL_MS));
    const answer = await api("GET", `/terminal-payments/${current.id}`);
    if (answer.ok) current = answer.data;
  }
  return current;
}
