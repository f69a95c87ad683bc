// The outbox's states and the one rule that moves a record between them. Pure: no I/O.
//
// A record stays WAITING until the server either confirms it (SENT) or says something
// about that one record: INVALID (the visitor fixes and saves it again) or CONFLICT (the
// id holds other content on the server). Nothing else the server or the network answers
// (a revoked token, a body too large, a rate limit, an outage) takes a record out of
// WAITING: those answers change what the sync engine does next, never the record's fate.

/** A record's state, as stored in IndexedDB and named in the app's texts (`state_<value>`). */
export const State = Object.freeze({
  WAITING: "waiting",
  SENDING: "sending",
  SENT: "sent",
  INVALID: "invalid",
  CONFLICT: "conflict",
});

/** The class of what the server, or the network, answered to one request. */
export const Answer = Object.freeze({
  STORED: "stored", // 201/200, or a batch item `created` / `unchanged`
  INVALID: "invalid", // a batch item `invalid`, or 415/422 to a request about one record
  CONFLICT: "conflict", // a batch item `conflict`, or 409 to a request about one record
  UNAUTHORIZED: "unauthorized", // 401: the device token was revoked or lost
  TOO_LARGE: "too_large", // 413
  LATER: "later", // 408, 425, 429, 5xx, or no answer at all
  REFUSED: "refused", // any other 4xx: the server refused the request, not the record's content
});

/** What the sync engine does after an answer. */
export const Next = Object.freeze({
  DONE: "done", // the record reached its state for now
  REREGISTER: "reregister", // register the device again, then send the same request again
  SPLIT: "split", // send each half of the batch on its own
  SKIP: "skip", // leave this record waiting, go on with the others, try it again after a backoff
  RETRY_LATER: "retry_later", // stop this run: nothing more can be sent now; back off
});

/** Records not yet confirmed: SENDING ones too, left so by a page closed mid-request. */
export function unconfirmed(record) {
  return record.state === State.WAITING || record.state === State.SENDING;
}

const RETRY_STATUSES = new Set([408, 425, 429]);
const RECORD_CONTENT_STATUSES = new Set([415, 422]);

/**
 * The class of a failed request: `error` is an ApiError (it has a `status`) or what
 * `fetch` throws without a network. `aboutOneRecord` is true for requests that carry
 * one record (an edit, a photo), where 409/415/422 judge that record; a batch answers
 * per item in its 200 body, so the same statuses to a batch judge only the request.
 */
export function classifyFailure(error, aboutOneRecord) {
  const status = typeof error?.status === "number" ? error.status : null;
  if (status === null || status >= 500 || RETRY_STATUSES.has(status)) return Answer.LATER;
  if (status === 401) return Answer.UNAUTHORIZED;
  if (status === 413) return Answer.TOO_LARGE;
  if (aboutOneRecord && status === 409) return Answer.CONFLICT;
  if (aboutOneRecord && RECORD_CONTENT_STATUSES.has(status)) return Answer.INVALID;
  return Answer.REFUSED;
}

const ITEM_OUTCOMES = Object.freeze({
  created: Answer.STORED,
  unchanged: Answer.STORED,
  invalid: Answer.INVALID,
  conflict: Answer.CONFLICT,
});

/** The class of one batch item's `outcome`; an outcome this app does not know refuses only that item. */
export function classifyItem(outcome) {
  return ITEM_OUTCOMES[outcome] ?? Answer.REFUSED;
}

/**
 * The transition: given an answer's class and how many records the request carried,
 * each record's next state, whether the server's problem becomes the record's (shown
 * to the visitor), and what the engine does next.
 */
export function transition(answer, recordCount) {
  const alone = recordCount === 1;
  switch (answer) {
    case Answer.STORED:
      return { state: State.SENT, keepsProblem: false, next: Next.DONE };
    case Answer.INVALID:
      return { state: State.INVALID, keepsProblem: true, next: Next.DONE };
    case Answer.CONFLICT:
      return { state: State.CONFLICT, keepsProblem: true, next: Next.DONE };
    case Answer.UNAUTHORIZED:
      return { state: State.WAITING, keepsProblem: false, next: Next.REREGISTER };
    case Answer.TOO_LARGE:
      // A single record too large stays waiting with the reason shown: a correction can shrink it.
      return alone
        ? { state: State.WAITING, keepsProblem: true, next: Next.SKIP }
        : { state: State.WAITING, keepsProblem: false, next: Next.SPLIT };
    case Answer.REFUSED:
      return alone
        ? { state: State.WAITING, keepsProblem: true, next: Next.SKIP }
        : { state: State.WAITING, keepsProblem: false, next: Next.RETRY_LATER };
    default:
      return { state: State.WAITING, keepsProblem: false, next: Next.RETRY_LATER };
  }
}

const FIRST_RETRY_MS = 5000;
const LONGEST_RETRY_MS = 10 * 60 * 1000;

/**
 * How long to wait before the next run: the server's Retry-After when it gave one,
 * else an exponential backoff from 5 s (nothing failed) up to 10 min.
 */
export function retryDelayMs(failures, retryAfterSeconds = null) {
  if (retryAfterSeconds !== null) return retryAfterSeconds * 1000;
  return Math.min(FIRST_RETRY_MS * 2 ** failures, LONGEST_RETRY_MS);
}
