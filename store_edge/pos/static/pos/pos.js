// The lane page: one basket at a time, driven by the scanner and the keyboard.
//
// It talks to the store's lane API (/api/v1) with the lane's cookie, the cashier's session
// and the CSRF token. Everything a sale is made of lives on the store box: reloading the
// page, or losing HQ, loses nothing.
"use strict";

(() => {
  const app = document.getElementById("app");
  const $ = (id) => document.getElementById(id);
  const API = "/api/v1";
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const SALE_NUMBER = /^[0-9]{2,3}-[0-9]{7}$/;
  const MONEY = /^[0-9]{1,7}([.,][0-9]{1,2})?$/;
  // A keyboard-wedge scanner types a burst of characters a few ms apart, then Enter;
  // people type 80 ms or more apart.
  const WEDGE_GAP_MS = 40;
  const WEDGE_MIN_LENGTH = 4;
  const POLL_MS = 250;
  const STATUS_MS = 5000;

  const state = {
    basket: null, // the basket as the API last answered it
    selected: null, // the selected line's id
    weighing: null, // {code, name}: a weighed item waiting for a stable weight
    lastSale: null,
    shift: undefined, // the open shift's X report; null when none is open
    since: null, // scans relayed by the gateway are taken after this time
    locked: app.dataset.locked === "true",
    results: [],
    active: -1,
    paymentId: null,
    paying: false,
  };
  window.posMetrics = { scans: [], ready: null };

  // ---------------------------------------------------------------- talking to the store

  let storeDownSince = null;

  async function api(method, path, body) {
    let response;
    try {
      response = await fetch(API + path, {
        method,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
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
    } catch (error) {
      data = { detail: `The store server answered ${response.status}` };
    }
    return { ok: response.ok, status: response.status, data };
  }

  function detail(data) {
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
  function serial(task) {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  }

  // ---------------------------------------------------------------------- messages

  function say(text, kind = "") {
    const message = $("message");
    message.textContent = text;
    message.className = `message ${kind}`;
  }

  function storeDown() {
    if (storeDownSince === null) storeDownSince = new Date();
    banner(`The lane cannot reach the store server since ${hhmm(storeDownSince)}: nothing is being recorded, check the store box`, true);
  }

  function storeUp() {
    if (storeDownSince !== null) {
      storeDownSince = null;
      banner("");
      refreshStatus();
    }
  }

  function banner(text, bad = false) {
    const element = $("banner");
    element.hidden = !text;
    element.textContent = text;
    element.className = bad ? "banner bad" : "banner";
  }

  function hhmm(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // ---------------------------------------------------------------------- the basket

  async function ensureBasket() {
    if (state.basket && state.basket.status === "open") return state.basket.id;
    const answer = await api("POST", "/baskets");
    if (!answer.ok) throw new Error(detail(answer.data));
    show(answer.data);
    return answer.data.id;
  }

  async function addItem(code, extra = {}) {
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

  async function reload() {
    if (!state.basket) return;
    const answer = await api("GET", `/baskets/${state.basket.id}`);
    if (answer.ok) show(answer.data);
  }

  function show(basket) {
    state.basket = basket;
    if (!basket.lines.some((line) => line.id === state.selected)) {
      state.selected = basket.lines.length ? basket.lines[basket.lines.length - 1].id : null;
    }
    renderLines(false);
    renderTotals();
  }

  function fmtQuantity(line) {
    if (line.weight_kg !== null) return `${line.weight_kg} kg`;
    return String(Number(line.quantity));
  }

  function renderLines(flashLast) {
    const body = $("lines");
    body.textContent = "";
    const lines = state.basket ? state.basket.lines : [];
    $("empty").hidden = lines.length > 0;
    lines.forEach((line, index) => {
      const row = document.createElement("tr");
      row.className = "line" + (line.id === state.selected ? " selected" : "");
      if (flashLast && index === lines.length - 1) row.classList.add("flash");
      row.dataset.id = line.id;
      row.dataset.sku = line.sku;
      // The line at its price, then what each promotion takes off (as on the receipt).
      const saved = line.adjustments.reduce((sum, a) => sum + Math.round(Number(a.amount) * 100), 0);
      const base = ((Math.round(Number(line.amount) * 100) + saved) / 100).toFixed(2);
      cells(row, [line.name, fmtQuantity(line), line.unit_price, base]);
      row.addEventListener("click", () => {
        state.selected = line.id;
        renderLines(false);
      });
      body.appendChild(row);
      for (const adjustment of line.adjustments) {
        const extra = document.createElement("tr");
        extra.className = "adjustment";
        cells(extra, [adjustment.reason, "", "", `-${adjustment.amount}`]);
        body.appendChild(extra);
      }
    });
    const selected = body.querySelector("tr.selected");
    if (selected) selected.scrollIntoView({ block: "nearest" });
  }

  function cells(row, values) {
    values.forEach((value, index) => {
      const cell = document.createElement("td");
      cell.textContent = value;
      if (index > 0) cell.className = "num";
      row.appendChild(cell);
    });
  }

  function renderTotals() {
    const basket = state.basket;
    const zero = "0.00";
    $("subtotal").textContent = basket ? basket.subtotal : zero;
    $("discounts").textContent = basket && basket.discount_total !== zero ? `-${basket.discount_total}` : zero;
    $("tax").textContent = basket ? basket.tax_total : zero;
    $("total").textContent = basket ? basket.total : zero;
    $("paid").textContent = basket ? basket.amount_paid : zero;
    $("due").textContent = basket ? basket.amount_due : zero;
    const extras = [];
    if (basket && basket.member_card) extras.push(`Loyalty card ${basket.member_card}`);
    if (basket && basket.coupons.length) extras.push(`Coupons: ${basket.coupons.join(", ")}`);
    $("member").textContent = extras.join(" · ");
  }

  function renderWeighing() {
    const panel = $("weigh");
    panel.hidden = !state.weighing;
    if (!state.weighing) return;
    $("weigh-name").textContent = state.weighing.name;
    $("weigh-note").textContent = state.weighing.note || "";
  }

  // A weighed item waits for the scale: it is added as soon as a stable weight shows.
  let weighingRetry = false;
  function onScale(reading) {
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

  // ---------------------------------------------------------------------- scanning

  function onScan(code, source) {
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
          window.posMetrics.scans.push({ code, source, ms: performance.now() - scannedAt });
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

  // Scans from serial scanners and the scale's reading arrive through the gateway.
  async function pollPeripherals() {
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
    pill.textContent = "Devices: " + data.devices.map((d) => `${d.kind} ${d.connected ? "ok" : "disconnected"}`).join(", ");
    pill.className = down.length ? "pill bad" : "pill ok";
    pill.title = down.map((d) => d.last_error).join("\n");
  }

  // ---------------------------------------------------------------------- HQ and the shift

  async function refreshStatus() {
    if (state.locked) return;
    const answer = await api("GET", "/sync/status");
    if (answer.ok) {
      const sync = answer.data;
      const hq = $("hq-status");
      if (sync.hq_reachable) {
        hq.textContent = "HQ: online";
        hq.className = "pill ok";
        if (storeDownSince === null) banner("");
      } else {
        const since = sync.offline_since ? hhmm(new Date(sync.offline_since)) : null;
        hq.textContent = since ? `HQ: offline since ${since}` : "HQ: not reached yet";
        hq.className = "pill warn";
        if (since && storeDownSince === null) {
          banner(`Offline since ${since} — sales are stored safely and will sync`);
        }
      }
      const pending = $("pending");
      pending.textContent = `${sync.pending_entries} entries to send`;
      pending.className = sync.pending_entries > 0 && !sync.hq_reachable ? "pill warn" : "pill";
      // The store's warnings and critical alerts (the manager's "info" ones stay in the admin).
      const shown = sync.alerts.filter((a) => a.severity !== "info");
      const alerts = $("alerts");
      alerts.hidden = shown.length === 0;
      alerts.textContent = `Alerts: ${shown.map((a) => a.name.replaceAll("_", " ")).join(", ")}`;
      alerts.className = shown.some((a) => a.severity === "critical") ? "pill bad" : "pill warn";
      alerts.title = shown.map((a) => `${a.metric} ${a.value} (threshold ${a.threshold})`).join("\n");
    }
    await refreshShift();
  }

  async function refreshShift() {
    const answer = await api("GET", "/shifts/current");
    state.shift = answer.ok ? answer.data : answer.status === 404 ? null : state.shift;
    const pill = $("shift-status");
    pill.textContent = state.shift ? `Shift since ${hhmm(new Date(state.shift.opened_at))}` : "No shift open";
    pill.className = state.shift ? "pill" : "pill warn";
  }

  // ---------------------------------------------------------------------- dialogs

  // Ask for a few values in a dialog; resolves to {name: value} or null when cancelled.
  function ask(title, fields, { submit = "OK", intro = "", scan = null } = {}) {
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

  const supervisorFields = [
    { name: "supervisor", label: "Supervisor code", maxlength: 16 },
    { name: "pin", label: "Supervisor PIN", type: "password", inputmode: "numeric", maxlength: 8 },
  ];

  function selectedLine() {
    if (!state.basket || !state.selected) {
      say("Select a line first", "bad");
      return null;
    }
    return state.basket.lines.find((line) => line.id === state.selected) || null;
  }

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

  const actions = {
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
    return: () => startReturn(""),
    async reprint() {
      if (!state.lastSale) {
        say("No sale on this lane since the page opened", "bad");
        return;
      }
      showPaper(receiptUrl(state.lastSale.id) + "?reprint=1");
    },
    pay: () => openPayment(),
    "pay-close": () => $("pay").close(),
    "new-sale": () => {
      $("done").close();
      newSale();
    },
    "print-receipt": () => printPaper(receiptUrl(state.lastSale.id)),
    "paper-print": () => $("paper-frame").contentWindow.print(),
    "paper-close": () => $("paper").close(),
    "weigh-cancel": () => {
      state.weighing = null;
      renderWeighing();
    },
    shift: () => shiftMenu(),
    lock: () => lock(),
  };

  async function ensureOpen() {
    if (!state.basket || state.basket.status !== "open") await ensureBasket();
  }

  function newSale() {
    state.basket = null;
    state.selected = null;
    state.paymentId = null;
    renderLines(false);
    renderTotals();
    say("");
    $("entry-input").focus();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button || !actions[button.dataset.action]) return;
    event.preventDefault();
    if (button.disabled) return;
    actions[button.dataset.action]();
  });

  // ---------------------------------------------------------------------- paying

  function receiptUrl(saleId) {
    return app.dataset.receiptUrl.replace("00000000-0000-0000-0000-000000000000", saleId);
  }

  function reportUrl(shiftId) {
    return app.dataset.reportUrl.replace("00000000-0000-0000-0000-000000000000", shiftId);
  }

  function showPaper(url) {
    $("paper-frame").src = url;
    $("paper").showModal();
  }

  function printPaper(url) {
    const frame = $("paper-frame");
    frame.onload = () => {
      frame.onload = null;
      frame.contentWindow.print();
    };
    showPaper(url);
  }

  function openPayment() {
    const basket = state.basket;
    if (!basket || !basket.lines.length) {
      say("The basket is empty", "bad");
      return;
    }
    renderPayment();
    $("pay-error").textContent = "";
    $("pay").showModal();
    $("cash-amount").focus();
    if (Number(basket.amount_due) === 0 && Number(basket.amount_paid) > 0) complete();
  }

  function cashDue() {
    const basket = state.basket;
    // Paid in cash only, the total is rounded where the store rounds cash.
    const cashOnly = Number(basket.amount_paid) === 0;
    return cashOnly ? basket.cash_total : basket.amount_due;
  }

  function renderPayment() {
    const basket = state.basket;
    $("pay-due").textContent = basket.amount_due;
    const cash = cashDue();
    $("pay-cash-note").textContent = cash !== basket.amount_due ? `(${cash} in cash)` : "";
    $("card-amount").value = basket.amount_due;
    const quick = $("pay-quick");
    quick.textContent = "";
    const due = Number(cash);
    const amounts = [due];
    for (const note of [5, 10, 20, 50, 100]) {
      const rounded = Math.ceil(due / note) * note;
      if (rounded > due && !amounts.includes(rounded)) amounts.push(rounded);
    }
    for (const amount of amounts.slice(0, 5)) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = amount === due ? `Exact ${cash}` : amount.toFixed(2);
      button.onclick = () => payCash(amount === due ? cash : amount.toFixed(2));
      quick.appendChild(button);
    }
    const tenders = $("pay-tenders");
    tenders.textContent = "";
    if (Number(basket.amount_paid) > 0) {
      const item = document.createElement("li");
      item.textContent = `Paid so far: ${basket.amount_paid}`;
      tenders.appendChild(item);
    }
  }

  async function pay(body) {
    if (state.paying) return; // a double click pays once
    state.paying = true;
    for (const button of document.querySelectorAll("#pay button")) button.disabled = true;
    // The same payment sent again (a retry after a timeout) is recorded once.
    state.paymentId = state.paymentId || crypto.randomUUID();
    try {
      const answer = await serial(() => api("POST", `/baskets/${state.basket.id}/payments`, { ...body, id: state.paymentId }));
      if (!answer.ok) {
        $("pay-error").textContent = detail(answer.data);
        if (answer.status !== 0) state.paymentId = null;
        if (answer.status === 409) await reload();
        return;
      }
      state.paymentId = null;
      show(answer.data);
      renderPayment();
      $("pay-error").textContent = "";
      if (Number(answer.data.amount_due) === 0) await complete();
    } finally {
      state.paying = false;
      for (const button of document.querySelectorAll("#pay button")) button.disabled = false;
    }
  }

  function payCash(amount) {
    const text = String(amount).trim();
    if (!MONEY.test(text)) {
      $("pay-error").textContent = "Cash received: write an amount like 20.00";
      return;
    }
    return pay({ method: "cash", amount: text.replace(",", ".") });
  }

  $("pay-cash").addEventListener("submit", (event) => {
    event.preventDefault();
    const amount = $("cash-amount").value;
    payCash(amount.trim() === "" ? cashDue() : amount);
  });

  $("pay-card").addEventListener("submit", (event) => {
    event.preventDefault();
    const amount = $("card-amount").value.trim();
    const reference = $("card-ref").value.trim();
    const last4 = $("card-last4").value.trim();
    if (!MONEY.test(amount)) return void ($("pay-error").textContent = "Card amount: write it like 12.50");
    if (!/^[A-Za-z0-9-]{1,32}$/.test(reference)) return void ($("pay-error").textContent = "Terminal reference: as printed on the terminal's slip");
    if (!/^[0-9]{4}$/.test(last4)) return void ($("pay-error").textContent = "Only the card's last 4 digits");
    pay({ method: "card", amount: amount.replace(",", "."), terminal_reference: reference, card_last4: last4 });
  });

  async function complete() {
    const answer = await serial(() => api("POST", `/baskets/${state.basket.id}/complete`));
    if (!answer.ok) {
      $("pay-error").textContent = detail(answer.data);
      return;
    }
    const sale = answer.data;
    state.lastSale = sale;
    $("pay").close();
    $("done-change").textContent = sale.change;
    $("done-number").textContent = sale.number;
    $("cash-amount").value = "";
    $("card-ref").value = "";
    $("card-last4").value = "";
    $("done").showModal();
    refreshStatus();
  }

  $("done").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.tagName !== "BUTTON") {
      event.preventDefault();
      actions["new-sale"]();
    }
  });
  $("done").addEventListener("close", () => {
    if (state.basket && state.basket.status !== "open") newSale();
  });

  // ---------------------------------------------------------------------- returns

  async function startReturn(number) {
    if (state.basket && state.basket.lines.length && state.basket.status === "open") {
      say("Finish or suspend this sale before a return", "bad");
      return;
    }
    let values = { number };
    if (!number) {
      const noReceipt = document.createElement("button");
      noReceipt.type = "button";
      noReceipt.textContent = "No receipt (supervisor)";
      let without = false;
      noReceipt.onclick = () => {
        without = true;
        $("form").requestSubmit();
      };
      const fields = [{ name: "number", label: "Sale number (scan the receipt or type it)", hint: "01-0000042", optional: true, maxlength: 12 }, { element: noReceipt }];
      fields.validate = (v) => (without || SALE_NUMBER.test(v.number) ? "" : "Sale number: write it like 01-0000042");
      values = await ask("Return", fields, { submit: "Find the sale", scan: "number" });
      if (!values) return;
      if (without) return returnWithoutReceipt();
    }
    const found = await api("GET", `/returns/sales/${encodeURIComponent(values.number)}`);
    if (!found.ok) {
      say(detail(found.data), "bad");
      return;
    }
    const sale = found.data;
    const table = document.createElement("table");
    table.className = "return-lines";
    for (const line of sale.lines) {
      const row = document.createElement("tr");
      const unit = line.weight_kg !== null ? "kg" : "";
      cells(row, [line.name, `${line.amount}`, `${Number(line.returnable)} ${unit} left`]);
      const cell = document.createElement("td");
      const input = document.createElement("input");
      input.name = `line-${line.id}`;
      input.inputMode = "decimal";
      input.value = "0";
      input.disabled = Number(line.returnable) === 0;
      input.setAttribute("aria-label", `Return quantity of ${line.name}`);
      cell.appendChild(input);
      row.appendChild(cell);
      table.appendChild(row);
    }
    const fields = [{ element: table }];
    const card = Number(sale.tenders.card || 0) > 0;
    if (card) {
      fields.push(
        { name: "terminal_reference", label: "Card refund: terminal reference", optional: true, maxlength: 32 },
        { name: "card_last4", label: "Card's last 4 digits", optional: true, maxlength: 4, inputmode: "numeric", pattern: /^[0-9]{4}$/, hint: "as 4 digits" },
      );
    }
    const quantities = {};
    fields.validate = (_, form) => {
      for (const line of sale.lines) {
        const text = form.elements[`line-${line.id}`].value.trim().replace(",", ".");
        if (!/^[0-9]{1,4}(\.[0-9]{1,3})?$/.test(text)) return `${line.name}: write a quantity like 1`;
        const quantity = Number(text);
        if (quantity > Number(line.returnable)) return `${line.name}: at most ${Number(line.returnable)} can come back`;
        if (quantity > 0) quantities[line.id] = text;
      }
      return Object.keys(quantities).length ? "" : "Choose what comes back";
    };
    const intro = `Sale ${sale.number} of ${new Date(sale.completed_at).toLocaleString()}, ${sale.total}` + (card ? " — paid partly by card: it is refunded to the card first" : "");
    const chosen = await ask("Return items", fields, { submit: "Refund", intro });
    if (!chosen) return;
    const body = {
      sale_number: sale.number,
      lines: Object.entries(quantities).map(([line_id, quantity]) => ({ line_id, quantity })),
      terminal_reference: chosen.terminal_reference || "",
      card_last4: chosen.card_last4 || "",
    };
    const refund = await api("POST", "/returns", body);
    refunded(refund);
  }

  async function returnWithoutReceipt() {
    const values = await ask("Return without receipt", [
      { name: "code", label: "Item (scan or type its code)", maxlength: 64 },
      { name: "quantity", label: "Quantity", value: "1", inputmode: "decimal", pattern: /^[0-9]{1,3}([.,][0-9]{1,3})?$/, hint: "like 1" },
      ...supervisorFields,
    ], { submit: "Refund in cash", intro: "Refunded in cash at today's price, with a supervisor's approval.", scan: "code" });
    if (!values) return;
    const refund = await api("POST", "/returns/without-receipt", { ...values, quantity: values.quantity.replace(",", ".") });
    refunded(refund);
  }

  function refunded(answer) {
    if (!answer.ok) {
      say(detail(answer.data), "bad");
      return;
    }
    const sale = answer.data;
    state.lastSale = sale;
    const parts = sale.tenders.map((t) => `${t.method} ${t.amount.replace("-", "")}`);
    say(`Refund ${sale.number}: ${parts.join(" + ")}`, "ok");
    printPaper(receiptUrl(sale.id));
    refreshStatus();
  }

  // ---------------------------------------------------------------------- the shift

  async function shiftMenu() {
    await refreshShift();
    if (!state.shift) return openShift();
    const menu = document.createElement("div");
    menu.className = "row";
    let choice = null;
    for (const [key, label] of [["paid_in", "Paid in"], ["paid_out", "Paid out"], ["x", "X report"], ["z", "Close shift (Z report)"]]) {
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
    const values = await ask(choice === "paid_in" ? "Cash paid in" : "Cash paid out", [
      { name: "amount", label: "Amount", inputmode: "decimal", pattern: MONEY, hint: "like 20.00" },
      { name: "reason", label: "Reason", maxlength: 200 },
    ]);
    if (!values) return;
    const answer = await api("POST", "/shifts/current/cash", { kind: choice, amount: values.amount.replace(",", "."), reason: values.reason });
    say(answer.ok ? `${choice === "paid_in" ? "Paid in" : "Paid out"} ${values.amount}` : detail(answer.data), answer.ok ? "ok" : "bad");
    await refreshShift();
  }

  async function openShift() {
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
    const answer = await api("POST", "/shifts/current/close", { counted_cash: values.counted_cash.replace(",", ".") });
    if (!answer.ok) {
      say(detail(answer.data), "bad");
      return;
    }
    say(`Shift closed: variance ${answer.data.variance}`, Number(answer.data.variance) === 0 ? "ok" : "bad");
    printPaper(reportUrl(answer.data.shift_id));
    await refreshShift();
  }

  // ---------------------------------------------------------------------- the lock screen

  async function lock() {
    const response = await fetch(app.dataset.lockUrl, { method: "POST", headers: { "X-CSRFToken": CSRF }, credentials: "same-origin" });
    if (response.ok) showLock(true);
  }

  function showLock(locked) {
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

  $("unlock").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new URLSearchParams({ pin: $("unlock-pin").value });
    const response = await fetch(app.dataset.unlockUrl, { method: "POST", body, headers: { "X-CSRFToken": CSRF }, credentials: "same-origin" });
    const data = await response.json().catch(() => ({ detail: "Try again" }));
    if (response.ok) {
      $("unlock-error").textContent = "";
      showLock(false);
      if (!started) begin();
    } else if (response.status === 401) {
      window.location.reload();
    } else {
      $("unlock-error").textContent = data.detail;
      $("unlock-pin").value = "";
    }
  });

  // Lock by itself after five idle minutes.
  let idle = null;
  function awake() {
    clearTimeout(idle);
    idle = setTimeout(() => {
      if (!state.locked) lock();
    }, 5 * 60 * 1000);
  }

  // ---------------------------------------------------------------------- code entry and search

  const entry = $("entry-input");
  let searchTimer = null;
  let searchSerial = 0;

  $("entry").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = entry.value.trim();
    if (!text) return;
    if (state.active >= 0 && state.results[state.active]) {
      pick(state.results[state.active]);
      return;
    }
    if (/^[0-9A-Za-z()\-]+$/.test(text) && /[0-9]/.test(text) && !/[a-z]{3}/i.test(text)) {
      entry.value = "";
      hideResults();
      onScan(text, "typed");
      return;
    }
    search(text);
  });

  entry.addEventListener("input", () => {
    clearTimeout(searchTimer);
    const text = entry.value.trim();
    if (text.length < 3 || /^[0-9]+$/.test(text)) {
      hideResults();
      return;
    }
    searchTimer = setTimeout(() => search(text), 150);
  });

  entry.addEventListener("keydown", (event) => {
    if ($("results").hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      state.active = Math.max(0, Math.min(state.results.length - 1, state.active + step));
      renderResults();
    }
  });

  async function search(text) {
    const mine = ++searchSerial;
    const answer = await api("GET", `/products?q=${encodeURIComponent(text)}&limit=12`);
    if (mine !== searchSerial || !answer.ok) return;
    state.results = answer.data;
    state.active = answer.data.length ? 0 : -1;
    renderResults();
    if (!answer.data.length) say(`No product matches “${text}”`, "bad");
  }

  function renderResults() {
    const list = $("results");
    list.textContent = "";
    list.hidden = state.results.length === 0;
    state.results.forEach((product, index) => {
      const item = document.createElement("li");
      item.className = index === state.active ? "active" : "";
      const name = document.createElement("span");
      name.textContent = product.name;
      const price = document.createElement("span");
      price.textContent = `${product.price}${product.unit === "kg" ? "/kg" : ""}`;
      item.append(name, price);
      item.addEventListener("click", () => pick(product));
      list.appendChild(item);
    });
  }

  function hideResults() {
    state.results = [];
    state.active = -1;
    $("results").hidden = true;
  }

  function pick(product) {
    entry.value = "";
    hideResults();
    const code = product.barcodes[0] || product.plu || product.sku;
    onScan(code, "search");
  }

  // ---------------------------------------------------------------------- keys

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
      const lines = state.basket.lines;
      const index = lines.findIndex((line) => line.id === state.selected);
      const next = Math.max(0, Math.min(lines.length - 1, index + (event.key === "ArrowDown" ? 1 : -1)));
      if (lines[next]) {
        state.selected = lines[next].id;
        renderLines(false);
        event.preventDefault();
      }
    }
  });

  function tick() {
    $("clock").textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // ---------------------------------------------------------------------- start

  let started = false;

  function start() {
    tick();
    setInterval(tick, 10000);
    showLock(state.locked);
    for (const name of ["keydown", "pointerdown"]) document.addEventListener(name, awake, true);
    if (state.locked) {
      document.body.dataset.ready = "true";
      return;
    }
    begin();
  }

  async function begin() {
    started = true;
    // A basket left open on this lane (a reload, a crash) comes back.
    const open = await api("GET", "/baskets?status=open");
    if (open.ok && open.data.length) {
      const basket = await api("GET", `/baskets/${open.data[0].id}`);
      if (basket.ok) show(basket.data);
    }
    renderTotals();
    await refreshStatus();
    setInterval(refreshStatus, STATUS_MS);
    pollPeripherals();
    awake();
    window.posMetrics.ready = performance.now();
    document.body.dataset.ready = "true";
    if (state.shift === null && !state.locked) openShift();
  }

  start();
})();
