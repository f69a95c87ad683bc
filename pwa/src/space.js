// Room on the phone: whether a photo more would leave it nearly full, and whether iOS keeps
// this app's storage (only an app on the home screen keeps it past 7 days unvisited).
const RESERVE_BYTES = 20 * 1024 * 1024; // below this much free room, a few photos fill the phone
const FULL_SHARE = 0.9; // or when the browser's quota for Cairn is this much used

/** Whether `bytes` more leave too little room, by a storage estimate `{ usage, quota }`. */
export function leavesTooLittle({ usage, quota }, bytes) {
  return quota - usage - bytes < RESERVE_BYTES || (usage + bytes) / quota > FULL_SHARE;
}

/**
 * Whether `bytes` more would leave the phone nearly full. False when the browser cannot say
 * (Chromium reports a fixed room, so its writes failing is what tells; see the record form).
 */
export async function nearlyFull(bytes = 0) {
  try {
    const estimate = await navigator.storage?.estimate?.();
    return Boolean(estimate?.quota) && leavesTooLittle(estimate, bytes);
  } catch {
    return false;
  }
}

/** iOS Safari in a tab: its storage goes after 7 days unvisited; a home-screen app keeps its own. */
export function iosOutsideHomeScreen() {
  const ios = /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  return ios && navigator.standalone !== true && !matchMedia("(display-mode: standalone)").matches;
}
