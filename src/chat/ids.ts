// Ids and cursors: ULIDs (48-bit millisecond time, then 80 random bits, Crockford base32), in
// lower case after a type prefix. Made here rather than by the `ulid` package: a post makes four
// or five of them, and the package's (upper-case, then lowered, one random draw per character)
// was 5% of the write path's CPU. The `ulid` package still checks these in ids.test.ts.

const LOWER = "0123456789abcdefghjkmnpqrstvwxyz";

/** Random bytes drawn 4 KiB at a time: one system call per 256 ids instead of one per id. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;
function randomBytes(n: number): Uint8Array {
  if (poolAt + n > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

let lastMs = -1;
let timePart = "";
/** The random part as 16 base32 digits, kept to be incremented within a millisecond. */
const randomPart = new Uint8Array(16);

/** Adds one to base32 digits, most significant first. */
function increment(digits: Uint8Array, overflow: string): void {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 31) digits[i--] = 0;
  if (i < 0) throw new Error(overflow);
  digits[i]!++;
}

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = LOWER[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/**
 * A monotonic ULID: ids made in the same millisecond (or while the clock stands behind the last
 * one) increment the random part, so they still sort in creation order ("the first user", "the
 * oldest workspace" are well defined).
 */
export function ulidLower(): string {
  const ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    timePart = encodeTime(ms);
    const bytes = randomBytes(16);
    for (let i = 0; i < 16; i++) randomPart[i] = bytes[i]! & 31;
  } else {
    // 2^80 ids in one millisecond: the package throws too.
    increment(randomPart, "ulid: random part overflow");
  }
  let out = timePart;
  for (let i = 0; i < 16; i++) out += LOWER[randomPart[i]!];
  return out;
}

export type IdPrefix =
  | "usr" | "wsp" | "chn" | "msg" | "dm" | "evt" | "eph" | "upl" | "inv" | "mlk" | "ses" | "sub"
  | "eda" | "app" | "tpc" | "tok" | "cmd" | "trg" | "whk" | "bsc" | "bcm" | "aud" | "cna";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulidLower()}`;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Shareable route id: one letter (T workspace, C channel, D DM, M message) + 16 Crockford chars. */
export function newRouteId(letter: "T" | "C" | "D" | "M"): string {
  const bytes = randomBytes(16);
  let out = letter;
  for (let i = 0; i < 16; i++) out += CROCKFORD[bytes[i]! & 31];
  return out;
}

/**
 * A message's route id in the order messages are written: the ULID's millisecond, then the last
 * six characters of its random part, which the monotonic ULID increments within a millisecond,
 * so one process never makes the same one twice. The unique index on route ids then grows at its
 * end instead of at a random place per message: a batch of 50 posts on SQLite dirtied about 50
 * index pages, and now one or two (a fifth of the WAL a post writes). Only SQLite's single writer
 * uses it: processes sharing a Postgres database would each draw the 30 bits in the same
 * millisecond, and a clash there fails a post, so that store keeps the random route id.
 */
export function newOrderedMessageRouteId(): string {
  const id = ulidLower();
  let out = "M";
  for (let i = 0; i < 10; i++) out += CROCKFORD[LOWER.indexOf(id[i]!)];
  for (let i = 20; i < 26; i++) out += CROCKFORD[LOWER.indexOf(id[i]!)];
  return out;
}

/** The next larger base32 string of the same length (lower case); the last cursor + 1. */
function incrementLower(s: string): string {
  const digits = Uint8Array.from(s, (c) => LOWER.indexOf(c));
  increment(digits, "cursor overflow");
  return Array.from(digits, (d) => LOWER[d]).join("");
}

/**
 * The next event cursor of a workspace. Cursors must be strictly increasing in commit order, not
 * merely unique: a client that resumes after cursor X must find every later event above X. A
 * clock step backwards (or another process's clock ahead of this one) would break that with a
 * fresh ULID, so when it is not above the workspace's last cursor we increment the last one.
 */
export function nextCursor(last: string | null): string {
  const fresh = `cur_${ulidLower()}`;
  if (last === null || fresh > last) return fresh;
  return `cur_${incrementLower(last.slice(4))}`;
}
