// A bot's question (ask-user card) under its message: a small form for the people asked, and once
// answered, who answered what. The first answer wins on the server; a late one gets 409, and the
// card then shows the answer that won.
import { useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { fullTime } from "../format.ts";
import { userName } from "../state/directory.ts";
import { patchEverywhere } from "../state/sync.ts";
import type { Message } from "../types.ts";

type Question = NonNullable<Message["question"]>;
type Item = Question["items"][number];
type Draft = Record<string, { picked: string[]; other: string; otherOn: boolean }>;

const HEADLINES: Record<Question["status"], string> = {
  open: "Needs an answer",
  submitted: "Answered · waiting for the bot",
  answered: "Answered",
  cancelled: "Cancelled",
  expired: "Expired",
  failed: "Not completed",
};

function answersOf(q: Question, draft: Draft): Record<string, string[]> {
  return Object.fromEntries(q.items.map((it) => {
    const d = draft[it.id] ?? { picked: [], other: "", otherOn: false };
    const typed = d.other.trim();
    const takesText = !it.options?.length || it.allow_other;
    return [it.id, [...d.picked, ...(takesText && (d.otherOn || !it.options?.length) && typed ? [typed] : [])]];
  }));
}

function ItemFields({ item, qid, draft, setDraft, disabled }: { item: Item; qid: string; draft: Draft; setDraft: (d: Draft) => void; disabled: boolean }) {
  const d = draft[item.id] ?? { picked: [], other: "", otherOn: false };
  const set = (next: Partial<typeof d>) => setDraft({ ...draft, [item.id]: { ...d, ...next } });
  const name = `${qid}-${item.id}`;
  const multi = item.multi_select === true;
  const options = item.options ?? [];
  return (
    <fieldset class="question-item" disabled={disabled}>
      <legend class="question-header">{item.header}</legend>
      <p class="question-prompt" id={`${name}-prompt`}>
        {item.prompt}
        {item.url && (
          <>
            {" "}
            <a href={item.url} target="_blank" rel="noopener noreferrer">Details</a>
          </>
        )}
      </p>
      {options.map((o) => (
        <label class="question-option">
          <input
            type={multi ? "checkbox" : "radio"}
            name={name}
            checked={d.picked.includes(o.label)}
            onChange={(e) => {
              const on = (e.currentTarget as HTMLInputElement).checked;
              if (multi) set({ picked: on ? [...d.picked, o.label] : d.picked.filter((l) => l !== o.label) });
              else set({ picked: [o.label], otherOn: false });
            }}
          />
          <span>
            <span class="question-label">{o.label}</span>
            {o.description && <span class="question-description">{o.description}</span>}
          </span>
        </label>
      ))}
      {options.length > 0 && item.allow_other && (
        <label class="question-option">
          <input
            type={multi ? "checkbox" : "radio"}
            name={name}
            checked={d.otherOn}
            onChange={(e) => {
              const on = (e.currentTarget as HTMLInputElement).checked;
              set(multi ? { otherOn: on } : { otherOn: true, picked: [] });
            }}
          />
          <span class="question-label">Other</span>
        </label>
      )}
      {(options.length === 0 || (item.allow_other && d.otherOn)) && (
        <input
          class="question-other"
          type="text"
          maxLength={2000}
          aria-label={options.length === 0 ? item.header : `${item.header}: other answer`}
          aria-describedby={`${name}-prompt`}
          placeholder={item.other_placeholder ?? (options.length === 0 ? "Your answer" : "Another answer")}
          value={d.other}
          onInput={(e) => set({ other: (e.currentTarget as HTMLInputElement).value, otherOn: true })}
        />
      )}
    </fieldset>
  );
}

function Summary({ q }: { q: Question }) {
  const r = q.response;
  if (!r) return null;
  return (
    <div class="question-summary">
      <p class="question-by">
        {r.answered_by ? `${userName(r.answered_by)} answered` : "Answered elsewhere"}
        {" · "}
        <time dateTime={r.answered_at} title={fullTime(r.answered_at)}>{fullTime(r.answered_at)}</time>
      </p>
      <dl>
        {q.items.map((it) => (
          <div class="question-answer">
            <dt>{it.header}</dt>
            <dd>{(r.answers[it.id] ?? []).join(", ")}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

export function QuestionCard({ message, meId, canAnswer }: { message: Message; meId: string; canAnswer: boolean }) {
  const q = message.question;
  const [draft, setDraft] = useState<Draft>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!q) return null;
  const expired = q.status === "open" && Date.parse(q.expires_at) <= Date.now();
  const status: Question["status"] = expired ? "expired" : q.status;
  const responders = q.responder_user_ids ?? [];
  const asked = responders.length === 0 || responders.includes(meId);
  const answering = status === "open" && asked && canAnswer;
  const answers = answersOf(q, draft);
  const complete = q.items.every((it) => (answers[it.id]?.length ?? 0) > 0);
  const titleId = `q-${message.id}-title`;

  async function submit(e: Event) {
    e.preventDefault();
    if (!q || !complete || busy) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api.answerQuestion(message.id, { answers, expected_version: q.version, nonce: `${message.id}:${q.version}:${meId}` });
      patchEverywhere(message.id, () => res.message);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setError(err.code === "question_expired" ? "This question has expired." : "Someone else answered first.");
        api.message(message.id).then(({ message: fresh }) => patchEverywhere(message.id, () => fresh), () => {});
      } else setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class={`question-card status-${status}`} aria-labelledby={titleId}>
      <header class="question-top">
        <span class="question-title" id={titleId}>{q.title ?? "Question"}</span>
        <span class={`question-status status-${status}`} role="status">{HEADLINES[status]}</span>
      </header>
      {answering ? (
        <form onSubmit={submit}>
          {q.items.map((it) => <ItemFields item={it} qid={message.id} draft={draft} setDraft={setDraft} disabled={busy} />)}
          <div class="question-actions">
            <button type="submit" class="button primary" disabled={!complete || busy}>
              {busy ? "Sending…" : "Submit"}
            </button>
            <span class="question-expiry">Expires <time dateTime={q.expires_at}>{fullTime(q.expires_at)}</time></span>
          </div>
        </form>
      ) : (
        <>
          {!q.response && q.items.map((it) => (
            <p class="question-prompt">
              <strong>{it.header}:</strong> {it.prompt}
            </p>
          ))}
          {status === "open" && !asked && <p class="question-note">Waiting for {responders.map(userName).join(", ")}.</p>}
          <Summary q={q} />
          {q.resolution_note && <p class="question-note">{q.resolution_note}</p>}
        </>
      )}
      {error && <p class="question-error" role="alert">{error}</p>}
    </section>
  );
}
