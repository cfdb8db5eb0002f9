// Changing the basket: a line's quantity, voiding it, a price override or a discount (both
// with a supervisor's approval), the loyalty card, coupons, suspending a basket and resuming
// one (on any lane).

import { api, detail, serial } from "./api.js";
import { ensureOpen, newSale, selectedLine, show } from "./basket.js";
import { ask, supervisorFields } from "./dialogs.js";
import { hhmm, MONEY } from "./formats.js";
import { say } from "./messages.js";
import { state } from "./state.js";

async function basketCall(method, path, body, success) {
  return serial(async () => {
    const answer = await api(method, `/baskets/${state.basket.id}${path}`, body);
    if (answer.ok) {
      show(answer.data);
      if (success) say(success, "ok");
    } else {
      say(detail(answer.data), "bad");
    }
    return answer;
  });
}

// What the basket's buttons do (their data-action), by name.
export const basketActions = {
  async quantity() {
    const line = selectedLine();
    if (!line) return;
    const values = await ask(`Quantity of ${line.name}`, [
      { name: "quantity", label: "Quantity", inputmode: "numeric", pattern: /^[0-9]{1,4}$/, hint: "as a whole number", value: String(Number(line.quantity)) },
    ]);
    if (values) await basketCall("POST", `/items/${line.id}/quantity`, { quantity: Number(values.quantity) }, "Quantity changed");
  },
  async void() {
    const line = selectedLine();
    if (!line) return;
    await basketCall("DELETE", `/items/${line.id}`, undefined, `${line.name} voided`);
  },
  async price() {
    const line = selectedLine();
    if (!line) return;
    const values = await ask(`New price for ${line.name}`, [
      { name: "price", label: "Price", inputmode: "decimal", pattern: MONEY, hint: "like 1.99" },
      { name: "reason", label: "Reason", maxlength: 200 },
      ...supervisorFields,
    ], { submit: "Approve" });
    if (values) {
      await basketCall("POST", `/items/${line.id}/change`, {
        price: values.price.replace(",", "."), reason: values.reason, supervisor: values.supervisor, pin: values.pin,
      }, "Price changed");
    }
  },
  async discount() {
    const line = selectedLine();
    if (!line) return;
    const fields = [
      { name: "percent", label: "Discount %", inputmode: "decimal", optional: true, pattern: /^[0-9]{1,3}([.,][0-9]{1,2})?$/, hint: "like 10" },
      { name: "amount", label: "or discount amount", inputmode: "decimal", optional: true, pattern: MONEY, hint: "like 0.50" },
      { name: "reason", label: "Reason", maxlength: 200 },
      ...supervisorFields,
    ];
    fields.validate = (values) => (!values.percent === !values.amount ? "Give a percentage or an amount" : "");
    const values = await ask(`Discount on ${line.name}`, fields, { submit: "Approve" });
    if (values) {
      const body = { reason: values.reason, supervisor: values.supervisor, pin: values.pin };
      if (values.percent) body.discount_percent = values.percent.replace(",", ".");
      else body.discount_amount = values.amount.replace(",", ".");
      await basketCall("POST", `/items/${line.id}/change`, body, "Discount given");
    }
  },
  async loyalty() {
    const values = await ask("Loyalty card", [{ name: "card", label: "Card number (scan or type)", maxlength: 32 }], { scan: "card" });
    if (!values) return;
    await ensureOpen();
    await basketCall("POST", "/loyalty", { card: values.card }, "Loyalty card added");
  },
  async coupon() {
    const values = await ask("Coupon", [{ name: "code", label: "Coupon code (scan or type)", maxlength: 32 }], { scan: "code" });
    if (!values) return;
    await ensureOpen();
    await basketCall("POST", "/coupons", { code: values.code.toUpperCase() }, "Coupon added");
  },
  async suspend() {
    if (!state.basket || !state.basket.lines.length) {
      say("Nothing to suspend", "bad");
      return;
    }
    const answer = await basketCall("POST", "/suspend", undefined);
    if (answer.ok) {
      newSale();
      say("Basket suspended: resume it on any lane", "ok");
    }
  },
  async resume() {
    const answer = await api("GET", "/baskets?status=suspended");
    if (!answer.ok || !answer.data.length) {
      say("No suspended basket", "bad");
      return;
    }
    if (state.basket && state.basket.lines.length && state.basket.status === "open") {
      say("Finish or suspend this basket first", "bad");
      return;
    }
    const list = document.createElement("div");
    let chosen = null;
    answer.data.forEach((basket, index) => {
      const button = document.createElement("button");
      button.type = "submit";
      button.textContent = `${hhmm(new Date(basket.created_at))} · ${basket.lines} lines`;
      button.dataset.basket = basket.id;
      button.onclick = () => {
        chosen = basket.id;
      };
      if (index) button.style.marginLeft = ".4rem";
      list.appendChild(button);
    });
    const values = await ask("Resume a basket", [{ element: list }], { submit: "Resume the newest" });
    if (!values) return;
    const id = chosen || answer.data[0].id;
    const resumed = await api("POST", `/baskets/${id}/resume`);
    if (resumed.ok) {
      show(resumed.data);
      say("Basket resumed", "ok");
    } else say(detail(resumed.data), "bad");
  },
};
