// The API: JSON in and out, problem documents turned into errors the UI can show.
import { deleteMeta, getMeta, setMeta } from "./db.js";

export class ApiError extends Error {
  /** `retryAfterSeconds`: how long the server asked to wait (429, 503), or null. */
  constructor(status, problem, retryAfterSeconds = null) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A Retry-After header (seconds, or an HTTP date) in seconds from now; null without one. */
function retryAfterSeconds(header) {
  if (!header) return null;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export async function request(path, { method = "GET", body, headers = {}, raw = false } = {}) {
  const init = { method, headers: { ...headers } };
  if (body instanceof Blob) {
    init.body = body;
    init.headers["Content-Type"] ||= body.type || "application/octet-stream";
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = { title: response.statusText };
    }
    throw new ApiError(response.status, problem, retryAfterSeconds(response.headers.get("Retry-After")));
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

let registering = null; // the registration under way: callers at the same moment share it

/** This phone's device token, registering once; the token is shown by the server only once. */
export async function deviceHeaders() {
  let device = await getMeta("device");
  if (!device) {
    registering ??= request("/api/v1/devices", { method: "POST" })
      .then(async (made) => { await setMeta("device", made); return made; })
      .finally(() => { registering = null; });
    device = await registering;
  }
  return { Authorization: `Bearer ${device.token}` };
}

/** Forget a token the server no longer knows (a 401) and register this phone again. */
export async function registerAgain() {
  await deleteMeta("device");
  await deviceHeaders();
}

/** A request under this phone's device, or under `device` (a record restored from another phone's backup). */
export async function signed(path, { device, ...options } = {}) {
  const auth = device ? { Authorization: `Bearer ${device.token}` } : await deviceHeaders();
  return request(path, { ...options, headers: { ...auth, ...(options.headers || {}) } });
}
