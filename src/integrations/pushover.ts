// Pushover's messages API (https://pushover.net/api): one form POST per person. The app token
// is a secret: it goes in the body only, never in a log line or an error message.

export interface PushoverMessage {
  userKey: string;
  title: string;
  message: string;
  url?: string;
}

export interface PushoverClient {
  /** Resolves true when delivered; false when Pushover refused the user key (no use retrying). Throws on failures worth retrying. */
  send(m: PushoverMessage): Promise<boolean>;
}

export class PushoverError extends Error {}

export function pushoverClient(cfg: { apiToken: string; apiUrl: string }): PushoverClient {
  return {
    async send(m) {
      const body = new URLSearchParams({ token: cfg.apiToken, user: m.userKey, title: m.title.slice(0, 250), message: m.message.slice(0, 1024) || "(no text)" });
      if (m.url) body.set("url", m.url.slice(0, 512));
      let res: Response;
      try {
        res = await fetch(cfg.apiUrl, { method: "POST", body, redirect: "error", signal: AbortSignal.timeout(10_000) });
      } catch (err) {
        throw new PushoverError(`pushover unreachable: ${(err as Error).name}`);
      }
      await res.body?.cancel();
      // Pushover answers 4xx for a bad user key (permanent) and 429/5xx when it is worth waiting.
      if (res.ok) return true;
      if (res.status >= 400 && res.status < 500 && res.status !== 429) return false;
      throw new PushoverError(`pushover answered ${res.status}`);
    },
  };
}
