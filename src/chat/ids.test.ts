// The ids are ULIDs as the `ulid` package reads them, sorted in the order they were made.
import { expect, test } from "bun:test";
import { decodeTime, encodeTime, incrementBase32, isValid } from "ulid";
import { newId, newOrderedMessageRouteId, newRouteId, nextCursor, ulidLower } from "./ids.ts";

test("a ULID in lower case: the package reads it back, with the time it was made", () => {
  const before = Date.now();
  const id = ulidLower();
  expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
  expect(isValid(id.toUpperCase())).toBe(true);
  expect(decodeTime(id.toUpperCase())).toBeGreaterThanOrEqual(before);
  expect(decodeTime(id.toUpperCase())).toBeLessThanOrEqual(Date.now());
  expect(id.slice(0, 10)).toBe(encodeTime(decodeTime(id.toUpperCase()), 10).toLowerCase());
  expect(newId("msg")).toMatch(/^msg_[0-9a-z]{26}$/);
});

test("ids made in one millisecond still sort in the order they were made", () => {
  const ids = Array.from({ length: 5000 }, () => ulidLower());
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
  // Within a millisecond the random part goes up by one, as the package's monotonic factory does.
  let [a, b] = [ulidLower(), ulidLower()];
  for (let tries = 0; a.slice(0, 10) !== b.slice(0, 10) && tries < 100; tries++) [a, b] = [ulidLower(), ulidLower()];
  expect(b.slice(0, 10)).toBe(a.slice(0, 10));
  expect(b.toUpperCase()).toBe(a.slice(0, 10).toUpperCase() + incrementBase32(a.slice(10).toUpperCase()));
});

test("a cursor is above the last one even when the clock is behind it", () => {
  const fresh = nextCursor(null);
  expect(nextCursor(fresh) > fresh).toBe(true);
  const ahead = "cur_zzzzzzzzzz0000000000000zzz";
  expect(nextCursor(ahead)).toBe("cur_zzzzzzzzzz0000000000001000");
});

test("route ids: a letter and 16 Crockford characters", () => {
  expect(newRouteId("M")).toMatch(/^M[0-9A-HJKMNP-TV-Z]{16}$/);
  expect(newRouteId("C")).not.toBe(newRouteId("C"));
});

test("ordered message route ids keep the format, never repeat in a process and grow with time", () => {
  const made = Array.from({ length: 100_000 }, () => newOrderedMessageRouteId());
  for (const id of made.slice(0, 100)) expect(id).toMatch(/^M[0-9A-HJKMNP-TV-Z]{16}$/);
  expect(new Set(made).size).toBe(made.length);
  // The millisecond leads, so each one lands at the end of the index.
  const times = made.map((id) => id.slice(1, 11));
  expect([...times].sort()).toEqual(times);
});
