// Instants the chat stores as RFC 3339 text. Stored times compare as strings, which holds only
// for years 0000–9999: past that, toISOString() writes "+010000-…", which sorts before every
// real date, so a timeout "until year 10000" would already have ended. Such dates are refused.
import { invalid } from "./errors.ts";

const END_OF_TIME = Date.UTC(10000, 0, 1);

/** A client-given instant as stored text; 400 when it is not a time or past year 9999. */
export function storedInstant(raw: string, field: string): string {
  const at = Date.parse(raw);
  if (Number.isNaN(at)) throw invalid(`${field} must be an RFC 3339 time`, "invalid_time");
  if (at < 0 || at >= END_OF_TIME) throw invalid(`${field} must be between the years 1970 and 9999`, "invalid_time");
  return new Date(at).toISOString();
}

/** A UTC day (YYYY-MM-DD) whose next day is still a date the store can compare. */
export function dayInRange(day: string): boolean {
  const at = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(at) && at + 86_400_000 < END_OF_TIME;
}

/**
 * A person's time zone as given (an IANA name such as "Europe/Berlin"), canonical as the runtime
 * spells it; "" clears it. Anything the runtime cannot format a date in is refused.
 */
export function timeZone(raw: string): string | null {
  const name = raw.trim();
  if (name === "") return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw invalid(`time_zone must be an IANA time zone such as Europe/Berlin, got ${JSON.stringify(name.slice(0, 64))}`, "invalid_time_zone");
  }
}
