// What a coalescing window's folded messages become (the timing is covered through the real
// server in web-push.test.ts).
import { expect, test } from "bun:test";
import { type PushNote, pushCoalescer, summarize } from "./push-coalescer.ts";

const note = (body: string, place = "#general"): PushNote => ({
  title: `ada in ${place}`, body, place, author: "ada",
  target: { message_id: `msg_${body}`, workspace_id: "wsp_1", channel_id: "chn_1", direct_conversation_id: null, thread_root_id: null },
});

test("one folded message is pushed as it was; several name their count, and the place when they share one", () => {
  expect(summarize(1, new Set(["#general"]), note("hi"))).toEqual(note("hi"));
  expect(summarize(3, new Set(["#general"]), note("last"))).toMatchObject({ title: "3 new messages in #general", body: "ada: last", target: { message_id: "msg_last" } });
  expect(summarize(2, new Set(["#general", "a direct message"]), note("dm", "a direct message"))).toMatchObject({ title: "2 new messages", body: "ada: dm" });
});

test("with no window every note goes at once; with one, only the first per device until the window ends", async () => {
  const sent: string[] = [];
  const send = async (device: string, n: PushNote) => void sent.push(`${device}:${n.body}`);
  const every = pushCoalescer(0, send);
  await every.offer("a", "a", note("1"));
  await every.offer("a", "a", note("2"));
  const folding = pushCoalescer(60_000, send);
  await folding.offer("a", "a", note("3"));
  expect(folding.offer("a", "a", note("4"))).toBeNull();
  await folding.offer("b", "b", note("5"));
  folding.stop();
  expect(sent).toEqual(["a:1", "a:2", "a:3", "b:5"]);
});

test("a device's share of a page: the first goes at once and the rest fold, or all fold into an open window", async () => {
  const sent: string[] = [];
  const send = async (device: string, n: PushNote) => void sent.push(`${device}:${n.title}:${n.body}`);
  const folding = pushCoalescer(60_000, send);
  await folding.offer("a", "a", note("1"), 3, note("3"));
  expect(folding.offer("a", "a", note("4"), 2, note("5"))).toBeNull();
  folding.stop();
  expect(sent).toEqual(["a:ada in #general:1"]);
  const quick = pushCoalescer(20, send);
  await quick.offer("b", "b", note("6"), 3, note("8"));
  await Bun.sleep(80);
  quick.stop();
  expect(sent.slice(1)).toEqual(["b:ada in #general:6", "b:2 new messages in #general:ada: 8"]);
});
