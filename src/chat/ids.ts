import { incrementBase32, monotonicFactory, ulid } from "ulid";

// Monotonic within the process: ids made in the same millisecond still sort in creation order,
// so "the first user" or "the oldest workspace" is well defined.
const monotonic = monotonicFactory();

export type IdPrefix =
  | "usr" | "wsp" | "chn" | "msg" | "dm" | "evt" | "eph" | "upl" | "inv" | "mlk" | "ses" | "sub"
  | "eda" | "app" | "tpc" | "tok" | "cmd" | "trg" | "whk" | "bsc" | "bcm" | "aud" | "cna";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${monotonic().toLowerCase()}`;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Shareable route id: one letter (T workspace, C channel, D DM, M message) + 16 Crockford chars. */
export function newRouteId(letter: "T" | "C" | "D" | "M"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = letter;
  for (const b of bytes) out += CROCKFORD[b & 31];
  return out;
}

/**
 * The next event cursor of a workspace. Cursors must be strictly increasing in commit order, not
 * merely unique: a client that resumes after cursor X must find every later event above X. A
 * clock step backwards, or two events in one millisecond, would break that with a plain ULID,
 * so when the fresh ULID is not above the workspace's last cursor we increment the last one.
 */
export function nextCursor(last: string | null): string {
  const fresh = `cur_${ulid().toLowerCase()}`;
  if (last === null || fresh > last) return fresh;
  return `cur_${incrementBase32(last.slice(4).toUpperCase()).toLowerCase()}`;
}
