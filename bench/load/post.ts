// Load generator process for the write path: N concurrent authors posting for a fixed time or
// count, each request timed. Talks only to the loopback URL it is given; stops by itself.
// A warm-up (seconds, optional) runs the same load first: its posts are acknowledged and audited
// like the others but neither timed nor counted, so the figures are a warm server's, not its JIT's.
const [url, fixturesJson, concurrencyArg, secondsArg, maxArg, mentionArg, warmupArg] = process.argv.slice(2);
const fixtures = JSON.parse(fixturesJson!) as { channelIds: string[]; tokens: string[]; handles?: string[] };
// "mention": every message names another member by @handle (the notification path's load).
const mention = mentionArg === "mention" && fixtures.handles?.length ? fixtures.handles : null;
const concurrency = Number(concurrencyArg);
const measureFrom = Date.now() + Number(warmupArg ?? 0) * 1000;
const deadline = measureFrom + Number(secondsArg) * 1000;
const max = Number(maxArg);
let sent = 0;
const latencies: number[] = [];
const acked: { id: string; channel: string; seq: number; body: string; cursor: string }[] = [];
let errors = 0;
let counted = 0;

async function author(i: number) {
  const token = fixtures.tokens[i % fixtures.tokens.length]!;
  const channel = fixtures.channelIds[i % fixtures.channelIds.length]!;
  for (let n = 0; Date.now() < deadline && sent < max; n++) {
    sent++;
    const body = `load ${i}/${n} deploy the release candidate to staging${mention ? ` @${mention[(i * 7919 + n) % mention.length]}` : ""}`;
    const t0 = performance.now();
    try {
      const res = await fetch(`${url}/api/channels/${channel}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ body, nonce: `${i}-${n}` }),
      });
      const json = (await res.json()) as any;
      if (res.status === 201) {
        if (Date.now() >= measureFrom) {
          latencies.push(performance.now() - t0);
          counted++;
        }
        acked.push({ id: json.message.id, channel, seq: json.message.channel_seq, body, cursor: json.event.cursor });
      } else errors++;
    } catch {
      errors++;
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, (_, i) => author(i)));
const seconds = (Date.now() - measureFrom) / 1000;
// `acked`: every acknowledged post, warm-up included (the audit's); `counted`: those of the measured window.
await Bun.write(Bun.stdout, JSON.stringify({ seconds, latencies, acked, counted, errors }));

export {};
