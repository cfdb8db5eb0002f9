// The status strip: HQ online or offline since when (with the offline banner), the ledger
// entries waiting to be sent, the store's alerts, and the shift.

import { api, storeIsDown } from "./api.js";
import { hhmm } from "./formats.js";
import { banner } from "./messages.js";
import { $ } from "./page.js";
import { refreshShift } from "./shift.js";
import { state } from "./state.js";

export async function refreshStatus() {
  if (state.locked) return;
  const answer = await api("GET", "/sync/status");
  if (answer.ok) {
    const sync = answer.data;
    const hq = $("hq-status");
    if (sync.hq_reachable) {
      hq.textContent = "HQ: online";
      hq.className = "pill ok";
      if (!storeIsDown()) banner("");
    } else {
      const since = sync.offline_since ? hhmm(new Date(sync.offline_since)) : null;
      hq.textContent = since ? `HQ: offline since ${since}` : "HQ: not reached yet";
      hq.className = "pill warn";
      if (since && !storeIsDown()) {
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
