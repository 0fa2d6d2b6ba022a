import assert from "node:assert/strict";
import { test } from "node:test";

import { defaultRetryPolicy, parseRetryAfter, retryDelayMs } from "../src/retry.js";

test("full jitter draws under a doubling cap", () => {
  const policy = defaultRetryPolicy;
  assert.equal(retryDelayMs(policy, 0, undefined, 0), 0);
  assert.equal(retryDelayMs(policy, 0, undefined, 0.5), 125);
  assert.equal(retryDelayMs(policy, 3, undefined, 0.5), 1000);
  assert.equal(retryDelayMs(policy, 30, undefined, 0.5), 4000);
  const draws = new Set(Array.from({ length: 200 }, () => retryDelayMs(policy, 2, undefined)));
  assert.ok([...draws].every((d) => d >= 0 && d < 1000));
  assert.ok(draws.size > 100);
});

test("Retry-After wins and is capped", () => {
  assert.equal(retryDelayMs(defaultRetryPolicy, 5, 2), 2000);
  assert.equal(retryDelayMs(defaultRetryPolicy, 0, 86_400), 60_000);
});

test("Retry-After parses seconds and HTTP dates", () => {
  const now = Date.parse("Thu, 01 Jan 2026 12:00:00 GMT");
  assert.equal(parseRetryAfter("7"), 7);
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 12:00:30 GMT", now), 30);
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 11:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("soon"), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});
