// Scanning: a USB keyboard-wedge scanner's fast burst of keys ending in Enter, told from
// typing by its timing wherever the focus is; serial scanners' scans and the scale's
// reading, polled from the device gateway through the store; and what a scan does (an
// item rung up, a receipt's sale number starting a return, a field of the open dialog).

import { api, serial } from "./api.js";
import { SALE_NUMBER } from "./formats.js";
import { addItem, onScale } from "./items.js";
import { say } from "./messages.js";
import { metrics } from "./metrics.js";
import { $ } from "./page.js";
import { onCardPayment } from "./payment.js";
import { startReturn } from "./returns.js";
import { state } from "./state.js";

// A keyboard-wedge scanner types a burst of characters a few ms apart, then Enter;
// people type 80 ms or more apart.
const WEDGE_GAP_MS = 40;
const WEDGE_MIN_LENGTH = 4;
const POLL_MS = 250;

export function onScan(code, source) {
  const scannedAt = performance.now();
  code = code.trim();
  if (!code) return;
  if (state.locked) {
    say("The lane is locked: unlock it first", "bad");
    return;
  }
  const open = document.querySelector("dialog[open]");
  if (open && open.dataset.scan) {
    // A dialog that takes a scan (a return's receipt or item) gets it.
    const field = open.querySelector(`[name="${open.dataset.scan}"]`);
    field.value = code;
    field.form.requestSubmit();
    return;
  }
  if (open) {
    say("Finish or close the open window first", "bad");
    return;
  }
  if (SALE_NUMBER.test(code)) {
    startReturn(code);
    return;
  }
  serial(async () => {
    const added = await addItem(code);
    if (added) {
      requestAnimationFrame(() => {
        metrics.scans.push({ code, source, ms: performance.now() - scannedAt });
      });
    }
  });
}

const wedge = { keys: [], last: 0, field: null, value: "", start: 0, timer: null };

function isTextField(element) {
  return element && (element.tagName === "INPUT" || element.tagName === "TEXTAREA");
}

function giveBack() {
  // A burst without Enter was typing after all: put the characters where they were going.
  if (wedge.field && wedge.keys.length > 1) {
    const field = wedge.field;
    field.value = wedge.value.slice(0, wedge.start) + wedge.keys.join("") + wedge.value.slice(wedge.start);
    field.setSelectionRange(wedge.start + wedge.keys.length, wedge.start + wedge.keys.length);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }
  wedge.keys = [];
}

export function listenForWedge() {
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.ctrlKey || event.altKey || event.metaKey) return;
      const now = performance.now();
      const gap = now - wedge.last;
      clearTimeout(wedge.timer);
      if (event.key === "Enter") {
        if (wedge.keys.length >= WEDGE_MIN_LENGTH && gap <= WEDGE_GAP_MS) {
          event.preventDefault();
          event.stopPropagation();
          const code = wedge.keys.join("");
          if (wedge.field) {
            wedge.field.value = wedge.value; // the first character had landed: take it back
            wedge.field.dispatchEvent(new Event("input", { bubbles: true }));
          }
          wedge.keys = [];
          wedge.last = 0;
          onScan(code, "wedge");
          return;
        }
        giveBack();
        return;
      }
      if (event.key.length !== 1) {
        giveBack();
        return;
      }
      wedge.last = now;
      if (wedge.keys.length && gap <= WEDGE_GAP_MS) {
        // Part of a burst: it must not land in a field.
        event.preventDefault();
        if (wedge.keys.length === 1 && wedge.field) {
          wedge.field.value = wedge.value;
        }
        wedge.keys.push(event.key);
      } else {
        giveBack();
        const target = document.activeElement;
        wedge.field = isTextField(target) ? target : null;
        wedge.value = wedge.field ? wedge.field.value : "";
        wedge.start = wedge.field ? wedge.field.selectionStart || 0 : 0;
        wedge.keys = [event.key];
        if (!wedge.field && !state.locked && !document.querySelector("dialog[open]")) {
          // Typing on the page goes to the code field.
          const entry = $("entry-input");
          entry.focus();
          wedge.field = entry;
          wedge.value = entry.value;
          wedge.start = entry.value.length;
          entry.setSelectionRange(entry.value.length, entry.value.length);
        }
      }
      wedge.timer = setTimeout(giveBack, WEDGE_GAP_MS * 3);
    },
    true,
  );
}

// Scans from serial scanners and the scale's reading arrive through the gateway.
export async function pollPeripherals() {
  if (state.locked) {
    setTimeout(pollPeripherals, POLL_MS * 4);
    return;
  }
  const since = state.since === null ? "" : `?since=${state.since}`;
  const answer = await api("GET", `/lane/peripherals${since}`);
  if (answer.ok) {
    const data = answer.data;
    if (state.since === null) {
      state.since = data.now; // scans from before the page was opened are not rung
    } else {
      for (const scan of data.scans) {
        state.since = Math.max(state.since, scan.at);
        onScan(scan.code, "serial");
      }
    }
    onScale(data.scale);
    renderDevices(data);
    onCardPayment(data.card_payment);
  }
  setTimeout(pollPeripherals, document.hidden ? POLL_MS * 8 : POLL_MS);
}

function renderDevices(data) {
  const pill = $("devices");
  if (!data.gateway) {
    pill.textContent = "Devices: gateway unreachable";
    pill.className = "pill bad";
    return;
  }
  if (!data.devices.length) {
    pill.textContent = "Devices: keyboard scanner only";
    pill.className = "pill";
    return;
  }
  const down = data.devices.filter((device) => !device.connected);
  const troubled = data.devices.filter((device) => device.connected && device.last_error);
  pill.textContent = "Devices: " + data.devices.map((d) => `${d.kind} ${deviceState(d)}`).join(", ");
  pill.className = down.length ? "pill bad" : troubled.length ? "pill warn" : "pill ok";
  pill.title = [...down, ...troubled].map((d) => d.last_error).join("\n");
  renderPrinting(data.printing);
}

function deviceState(device) {
  if (!device.connected) return "disconnected";
  if (device.printer?.paper_out) return "out of paper";
  if (device.printer?.cover_open) return "cover open";
  if (device.printer && !device.printer.online) return "offline";
  if (device.printer?.paper_near_end) return "paper low";
  return "ok";
}

// A receipt the printer could not print: the cashier is told (on the sale's dialog too,
// when it is still open), the message stays through the next sale until the receipt is
// printed, and Last receipt prints it when the printer is back.
function renderPrinting(printing) {
  state.hasPrinter = Boolean(printing);
  const last = printing?.last;
  const held = last && last.state === "held";
  state.heldMessage = held ? `Receipt ${last.reference} not printed (${last.error}): press Last receipt when the printer is ready` : "";
  if (held && last.id > state.heldSeen) {
    state.heldSeen = last.id;
    say(state.heldMessage, "bad");
    if ($("done").open) $("done-receipt").textContent = state.heldMessage;
  }
}
