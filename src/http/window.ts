import { invalid } from "../chat/errors.ts";
import { LIMITS } from "../chat/rules.ts";
import type { PageWindow } from "../chat/types.ts";

interface WindowParams {
  after_seq?: number;
  before_seq?: number;
  around_seq?: number;
  mode?: string;
  latest?: boolean | string;
  limit?: number;
}

/** Out-of-range limits are clamped rather than refused: bots written for the Go server send them. */
function limitOf(q: WindowParams): number {
  if (q.limit === undefined) return LIMITS.pageDefault;
  return Math.min(LIMITS.pageMax, Math.max(1, Math.floor(q.limit)));
}

function anchor(q: WindowParams): PageWindow | null {
  const limit = limitOf(q);
  const given = [q.after_seq, q.before_seq, q.around_seq].filter((v) => v !== undefined);
  if (given.length > 1) throw invalid("invalid message page request: use only one of after_seq, before_seq, around_seq", "invalid_page");
  for (const v of given) if (!Number.isInteger(v) || v! < 0) throw invalid("invalid message page request: seq must be a non-negative integer", "invalid_page");
  if (q.after_seq !== undefined) return { kind: "after", seq: q.after_seq, limit };
  if (q.before_seq !== undefined) return { kind: "before", seq: q.before_seq, limit };
  if (q.around_seq !== undefined) return { kind: "around", seq: q.around_seq, limit };
  return null;
}

/** A channel or DM page: no anchor means the latest window. */
export function messageWindow(q: WindowParams): PageWindow {
  const a = anchor(q);
  if (q.mode !== undefined && q.mode !== "latest") throw invalid("invalid message page request: mode must be latest", "invalid_page");
  if (q.mode !== undefined && a) throw invalid("invalid message page request: mode=latest takes no seq", "invalid_page");
  return a ?? { kind: "latest", limit: limitOf(q) };
}

/** A thread page: no anchor means the oldest replies, unless latest=true. */
export function threadWindow(q: WindowParams): PageWindow {
  if (q.mode !== undefined) throw invalid("invalid thread page request: use latest or a thread sequence cursor", "invalid_page");
  const a = anchor(q);
  const latest = q.latest === true || q.latest === "true" || q.latest === "1";
  if (latest && a) throw invalid("invalid thread page request: latest takes no seq", "invalid_page");
  return a ?? { kind: latest ? "latest" : "oldest", limit: limitOf(q) };
}
