// The cashier's shift: opened with the float in the drawer; paid in and paid out, the
// drawer opened for no sale (with a reason), the X report, and the close with the Z report
// of counted against expected cash (and the card terminal's end of day).

import { api, detail } from "./api.js";
import { ask } from "./dialogs.js";
import { hhmm, MONEY } from "./formats.js";
import { say } from "./messages.js";
import { $ } from "./page.js";
import { printPaper, reportUrl, showPaper } from "./paper.js";
import { state } from "./state.js";

export async function refreshShift() {
  const answer = await api("GET", "/shifts/current");
  state.shift = answer.ok ? answer.data : answer.status === 404 ? null : state.shift;
  const pill = $("shift-status");
  pill.textContent = state.shift ? `Shift since ${hhmm(new Date(state.shift.opened_at))}` : "No shift open";
  pill.className = state.shift ? "pill" : "pill warn";
}

export async function shiftMenu() {
  await refreshShift();
  if (!state.shift) return openShift();
  const menu = document.createElement("div");
  menu.className = "row";
  let choice = null;
  for (const [key, label] of [["paid_in", "Paid in"], ["paid_out", "Paid out"], ["no_sale", "No sale (open drawer)"], ["x", "X report"], ["z", "Close shift (Z report)"]]) {
    const button = document.createElement("button");
    button.type = "submit";
    button.textContent = label;
    button.dataset.choice = key;
    button.onclick = () => {
      choice = key;
    };
    menu.appendChild(button);
  }
  const shift = state.shift;
  const intro = `Open since ${hhmm(new Date(shift.opened_at))} · ${shift.sales} sales · expected cash ${shift.expected_cash}`;
  const picked = await ask("Shift", [{ element: menu }], { submit: "Close menu", intro });
  if (!picked || !choice) return;
  if (choice === "x") return showPaper(reportUrl(shift.shift_id));
  if (choice === "z") return closeShift();
  if (choice === "no_sale") return noSale();
  const values = await ask(choice === "paid_in" ? "Cash paid in" : "Cash paid out", [
    { name: "amount", label: "Amount", inputmode: "decimal", pattern: MONEY, hint: "like 20.00" },
    { name: "reason", label: "Reason", maxlength: 200 },
  ]);
  if (!values) return;
  const answer = await api("POST", "/shifts/current/cash", { kind: choice, amount: values.amount.replace(",", "."), reason: values.reason });
  say(answer.ok ? `${choice === "paid_in" ? "Paid in" : "Paid out"} ${values.amount}` : detail(answer.data), answer.ok ? "ok" : "bad");
  await refreshShift();
}

// The drawer opened with nothing sold: always with a reason, recorded for the shift's report
// and for HQ.
async function noSale() {
  const values = await ask("No sale: open the drawer", [
    { name: "reason", label: "Reason", maxlength: 200, hint: "like change for a customer" },
  ], { submit: "Open the drawer" });
  if (!values) return;
  const answer = await api("POST", "/shifts/current/cash", { kind: "no_sale", amount: "0.00", reason: values.reason });
  say(answer.ok ? "Drawer opened (no sale)" : detail(answer.data), answer.ok ? "ok" : "bad");
  await refreshShift();
}

export async function openShift() {
  const values = await ask("Open a shift", [
    { name: "opening_float", label: "Float in the drawer", inputmode: "decimal", pattern: MONEY, hint: "like 150.00" },
  ], { submit: "Open shift", intro: "Count the float in the drawer before the first sale." });
  if (!values) return;
  const answer = await api("POST", "/shifts", { opening_float: values.opening_float.replace(",", ".") });
  say(answer.ok ? "Shift open" : detail(answer.data), answer.ok ? "ok" : "bad");
  await refreshShift();
}

async function closeShift() {
  const values = await ask("Close the shift", [
    { name: "counted_cash", label: "Cash counted in the drawer", inputmode: "decimal", pattern: MONEY, hint: "like 312.40" },
  ], { submit: "Close shift and print the Z report", intro: "Count the drawer without looking at the expected amount." });
  if (!values) return;
  say("Closing the shift (and the card terminal's end of day)…");
  const answer = await api("POST", "/shifts/current/close", { counted_cash: values.counted_cash.replace(",", ".") });
  if (!answer.ok) {
    say(detail(answer.data), "bad");
    return;
  }
  const card = answer.data.card_terminal;
  const cardNote = !card ? "" : card.state !== "done" ? "; terminal end of day not done" : `; card difference ${card.difference}`;
  const agrees = Number(answer.data.variance) === 0 && (!card || (card.state === "done" && Number(card.difference) === 0));
  say(`Shift closed: variance ${answer.data.variance}${cardNote}`, agrees ? "ok" : "bad");
  printPaper(reportUrl(answer.data.shift_id));
  await refreshShift();
}
