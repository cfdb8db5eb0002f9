// Ringing an item up: by its code into the basket (opened on the first item); a weighed
// item waits for a stable weight on the lane's scale, or asks for its weight where the
// lane has no scale.

import { api, detail, serial } from "./api.js";
import { ensureBasket, reload, renderLines, renderWeighing, show } from "./basket.js";
import { ask } from "./dialogs.js";
import { say } from "./messages.js";
import { $ } from "./page.js";
import { state } from "./state.js";

export async function addItem(code, extra = {}) {
  if (!state.shift) {
    say("Open a shift first (Shift → Open shift)", "bad");
    return false;
  }
  let basketId;
  try {
    basketId = await ensureBasket();
  } catch (error) {
    say(error.message, "bad");
    return false;
  }
  const answer = await api("POST", `/baskets/${basketId}/items`, { code, ...extra });
  if (answer.ok) {
    const before = state.basket ? state.basket.lines.length : 0;
    show(answer.data);
    state.weighing = null;
    renderWeighing();
    const lines = answer.data.lines;
    if (lines.length > before) {
      state.selected = lines[lines.length - 1].id;
      renderLines(true);
    }
    say(`${lines[lines.length - 1].name}`, "ok");
    return true;
  }
  if (answer.data.code === "scale_not_ready") {
    state.weighing = { code, name: await productName(code), note: detail(answer.data) };
    renderWeighing();
    say("Waiting for a stable weight");
    return false;
  }
  if (answer.data.code === "weight_needed") {
    const values = await ask("Weight", [
      { name: "weight_kg", label: `Weight of ${await productName(code)} in kg`, inputmode: "decimal", pattern: /^[0-9]{1,3}([.,][0-9]{1,3})?$/, hint: "like 0.525" },
    ]);
    if (values) return addItem(code, { weight_kg: values.weight_kg.replace(",", ".") });
    return false;
  }
  say(detail(answer.data), "bad");
  if (answer.status === 409 && state.basket) await reload();
  return false;
}

async function productName(code) {
  const answer = await api("GET", `/products?q=${encodeURIComponent(code)}&limit=1`);
  return answer.ok && answer.data.length ? answer.data[0].name : code;
}

// A weighed item waits for the scale: it is added as soon as a stable weight shows.
let weighingRetry = false;
export function onScale(reading) {
  let text = "no reading";
  if (reading) {
    const weight = reading.weight === null ? "—" : `${reading.weight} ${reading.unit}`;
    const flags = (reading.status || []).map((name) => String(name).toLowerCase().replace(/_/g, " "));
    text = reading.stable ? weight : `${weight} (${flags.join(", ") || "not stable"})`;
  }
  $("scale-reading").textContent = text;
  if (!state.weighing || weighingRetry || !reading || !reading.stable || !(Number(reading.weight) > 0)) return;
  weighingRetry = true;
  const { code } = state.weighing;
  serial(() => addItem(code)).finally(() => {
    weighingRetry = false;
  });
}

export function cancelWeighing() {
  state.weighing = null;
  renderWeighing();
}
