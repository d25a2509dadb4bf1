// Which of a page of new messages each person is pushed (the notification worker folds a page of
// the log per conversation; the delivery itself is covered through the real server in
// src/integrations/notify-worker.test.ts and web-push.test.ts).
import { expect, test } from "bun:test";
import { pageWants, type PagedMessage, type PushCandidate } from "./push.ts";

const person = (userId: string, over: Partial<PushCandidate> = {}): PushCandidate => ({
  userId, pushoverKey: null, subscriptions: [], mentioned: false, preference: "all", dnd_start_minute: null, dnd_end_minute: null, ...over,
});
const msg = (authorId: string, mentioned: string[] = [], reply = false): PagedMessage => ({ authorId, reply, mentioned: new Set(mentioned) });
const noon = new Date("2026-12-01T12:00:00Z");

const page = [
  msg("ada"), //                      0: a root by ada
  msg("bob", ["cy"]), //              1: bob mentions cy
  msg("ada", ["bob"], true), //       2: a reply mentioning bob (or bob follows the thread)
  msg("cy", [], true), //             3: a reply that concerns nobody
  msg("dee", ["ada", "dee"]), //      4: dee mentions ada, and herself
];

test("whoever wants everything gets every root message but their own, and the replies that mention them", () => {
  const wants = pageWants(page);
  const all = (id: string) => wants(person(id), noon);
  expect(all("ada")).toMatchObject({ count: 2, first: 1, last: 4 });
  expect(all("ada")!.indices()).toEqual([1, 4]);
  expect(all("bob")!.indices()).toEqual([0, 2, 4]);
  expect(all("bob")).toMatchObject({ count: 3, first: 0, last: 4 });
  expect(all("cy")!.indices()).toEqual([0, 1, 4]);
  // Her own message mentioning herself is still her own.
  expect(all("dee")!.indices()).toEqual([0, 1]);
});

test("whoever wants mentions gets the messages that mention them; muted people and do-not-disturb hours get nothing", () => {
  const wants = pageWants(page);
  expect(wants(person("bob", { preference: "mentions" }), noon)).toMatchObject({ count: 1, first: 2, last: 2 });
  expect(wants(person("dee", { preference: "mentions" }), noon)).toBeNull();
  expect(wants(person("cy", { preference: "muted" }), noon)).toBeNull();
  expect(wants(person("cy", { dnd_start_minute: 11 * 60, dnd_end_minute: 13 * 60 }), noon)).toBeNull();
  expect(wants(person("cy", { dnd_start_minute: 13 * 60, dnd_end_minute: 11 * 60 }), noon)).not.toBeNull();
});

test("someone who wrote every root message of the page and is mentioned nowhere gets nothing", () => {
  expect(pageWants([msg("ada"), msg("ada"), msg("bob", [], true)])(person("ada"), noon)).toBeNull();
});
