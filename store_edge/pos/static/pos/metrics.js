// What the page measures of itself, as `window.posMetrics`: the lane benchmark
// (tests/bench/lane_bench.py) and the browser tests read it. `ready` is when the lane could
// take its first scan (performance.now(), from the navigation's start); each of `scans`
// is a scan rung up: its code, its source (wedge, serial, typed, search) and the time from
// the scan to the frame after the basket was drawn.

export const metrics = { scans: [], ready: null };
window.posMetrics = metrics;
