// The rule that says a phone is nearly full, before a photo is stored.
import assert from "node:assert/strict";
import { test } from "node:test";

import { leavesTooLittle } from "../src/space.js";

const MB = 1024 * 1024;

test("a phone is nearly full when a photo would leave under 20 MB or use over 90 % of the quota", () => {
  assert.equal(leavesTooLittle({ usage: 10 * MB, quota: 1000 * MB }, 2 * MB), false);
  assert.equal(leavesTooLittle({ usage: 100 * MB, quota: 150 * MB }, 29 * MB), false); // 21 MB left, 86 % used
  assert.equal(leavesTooLittle({ usage: 100 * MB, quota: 150 * MB }, 31 * MB), true); // 19 MB left after it
  assert.equal(leavesTooLittle({ usage: 890 * MB, quota: 1000 * MB }, 0), false);
  assert.equal(leavesTooLittle({ usage: 190 * MB, quota: 250 * MB }, 36 * MB), true); // 90.4 % used
  assert.equal(leavesTooLittle({ usage: 0, quota: 10 * MB }, 0), true); // a quota smaller than the reserve
});
