// The page's only way to the server: the JSON API under /api/v1 (see /api/v1/openapi.json).
// GETs ride on the session cookie; changes also send the token header, which the page reads from
// /api/v1/session (a page of another origin cannot read it: the server sends no CORS headers).

let session = null;

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.hint = error.hint || "";
    this.body = body;
  }
}

export async function start() {
  session = await get("/api/v1/session");
  return session;
}

export function currentSession() {
  return session;
}

export async function get(path, params) {
  const url = params ? `${path}?${new URLSearchParams(clean(params))}` : path;
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  return decode(response);
}

function clean(params) {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ""));
}

async function decode(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// POST a change and read its answer as server-sent events; onEvent(name, data) for each.
export async function stream(path, payload, onEvent) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", [session.token_header]: session.token },
    body: JSON.stringify(payload),
  });
  if (!response.ok) return decode(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trim());
      }
      onEvent(name, data.length ? JSON.parse(data.join("\n")) : {});
    }
  }
  return null;
}

export function designPath(id, rest) {
  return `/api/v1/designs/${encodeURIComponent(id)}/${rest}`;
}
