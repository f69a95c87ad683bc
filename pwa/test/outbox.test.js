// The outbox's transition rule, answer class by answer class (pure: no fetch, no database).
import assert from "node:assert/strict";
import { test } from "node:test";

import { Answer, Next, State, classifyFailure, classifyItem, retryDelayMs, transition } from "../src/outbox.js";

const failure = (status) => ({ status, problem: { status } });

test("a batch's statuses judge the request; the same statuses about one record judge that record", () => {
  const cases = [
    [401, Answer.UNAUTHORIZED, Answer.UNAUTHORIZED],
    [413, Answer.TOO_LARGE, Answer.TOO_LARGE],
    [409, Answer.REFUSED, Answer.CONFLICT],
    [422, Answer.REFUSED, Answer.INVALID],
    [415, Answer.REFUSED, Answer.INVALID],
    [404, Answer.REFUSED, Answer.REFUSED],
    [400, Answer.REFUSED, Answer.REFUSED],
    [408, Answer.LATER, Answer.LATER],
    [429, Answer.LATER, Answer.LATER],
    [500, Answer.LATER, Answer.LATER],
    [503, Answer.LATER, Answer.LATER],
  ];
  for (const [status, forBatch, forOneRecord] of cases) {
    assert.equal(classifyFailure(failure(status), false), forBatch, `${status} to a batch`);
    assert.equal(classifyFailure(failure(status), true), forOneRecord, `${status} about one record`);
  }
  assert.equal(classifyFailure(new TypeError("Failed to fetch"), false), Answer.LATER);
});

test("batch items: created and unchanged are stored; an unknown outcome refuses only that item", () => {
  assert.equal(classifyItem("created"), Answer.STORED);
  assert.equal(classifyItem("unchanged"), Answer.STORED);
  assert.equal(classifyItem("invalid"), Answer.INVALID);
  assert.equal(classifyItem("conflict"), Answer.CONFLICT);
  assert.equal(classifyItem("postponed"), Answer.REFUSED);
});

test("only STORED, INVALID and CONFLICT take a record out of WAITING", () => {
  for (const answer of Object.values(Answer)) {
    for (const count of [1, 3]) {
      const { state } = transition(answer, count);
      const expected = { [Answer.STORED]: State.SENT, [Answer.INVALID]: State.INVALID, [Answer.CONFLICT]: State.CONFLICT }[answer];
      assert.equal(state, expected ?? State.WAITING, `${answer} for ${count} record(s)`);
    }
  }
});

test("what the engine does next", () => {
  assert.equal(transition(Answer.UNAUTHORIZED, 3).next, Next.REREGISTER);
  assert.equal(transition(Answer.TOO_LARGE, 3).next, Next.SPLIT);
  assert.equal(transition(Answer.TOO_LARGE, 1).next, Next.SKIP);
  assert.ok(transition(Answer.TOO_LARGE, 1).keepsProblem, "the visitor sees why one record waits");
  assert.equal(transition(Answer.REFUSED, 1).next, Next.SKIP);
  assert.equal(transition(Answer.REFUSED, 3).next, Next.RETRY_LATER);
  assert.equal(transition(Answer.LATER, 1).next, Next.RETRY_LATER);
  assert.equal(transition(Answer.STORED, 3).next, Next.DONE);
});

test("the server's Retry-After wins over the backoff, which doubles up to 10 minutes", () => {
  assert.equal(retryDelayMs(0), 5000);
  assert.equal(retryDelayMs(1), 10000);
  assert.equal(retryDelayMs(3), 40000);
  assert.equal(retryDelayMs(20), 600000);
  assert.equal(retryDelayMs(3, 7), 7000);
  assert.equal(retryDelayMs(3, 0), 0);
});
