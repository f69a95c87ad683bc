// The API: JSON in and out, problem documents turned into errors the UI can show.
import { getMeta, setMeta } from "./db.js";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** 4xx other than 408/429: the server judged the content; retrying unchanged will not help. */
  get final() {
    return this.status >= 400 && this.status < 500 && ![408, 425, 429].includes(this.status);
  }
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
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

/** This phone's device token, registering once; the token is shown by the server only once. */
export async function deviceHeaders() {
  let device = await getMeta("device");
  if (!device) {
    device = await request("/api/v1/devices", { method: "POST" });
    await setMeta("device", device);
  }
  return { Authorization: `Bearer ${device.token}` };
}

export async function signed(path, options = {}) {
  return request(path, { ...options, headers: { ...(await deviceHeaders()), ...(options.headers || {}) } });
}
