// Staff session: a short-lived access token, renewed with the refresh token on a 401.
import { ApiError, request } from "./api.js";
import { deleteMeta, getMeta, setMeta } from "./db.js";

export async function signIn(email, password) {
  const tokens = await request("/api/v1/auth/login", { method: "POST", body: { email, password } });
  await setMeta("staff", tokens);
  return tokens;
}

export async function signOut() {
  const tokens = await getMeta("staff");
  await deleteMeta("staff");
  if (tokens) {
    await request("/api/v1/auth/logout", { method: "POST", body: { refresh_token: tokens.refresh_token } }).catch(() => {});
  }
}

export async function signedIn() {
  return Boolean(await getMeta("staff"));
}

/** A staff call; one refresh and retry when the access token has expired. */
export async function staff(path, options = {}) {
  const call = async () => {
    const tokens = await getMeta("staff");
    if (!tokens) throw new ApiError(401, { title: "Signed out" });
    return request(path, { ...options, headers: { Authorization: `Bearer ${tokens.access_token}` } });
  };
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    const tokens = await getMeta("staff");
    if (!tokens) throw error;
    try {
      await setMeta("staff", await request("/api/v1/auth/refresh", { method: "POST", body: { refresh_token: tokens.refresh_token } }));
    } catch {
      await deleteMeta("staff");
      throw error;
    }
    return call();
  }
}
