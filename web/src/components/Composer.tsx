// Writing a message: Enter sends, Shift+Enter starts a new line, `@` suggests people, `/` at the
// start lists the workspace's commands (a registered one runs on the server; a bot's menu entry is
// sent as text for the bot), Up in an empty box edits your last message. Files come by button, drag-and-drop or paste. Sending is
// optimistic (state/outbox.ts): the box clears at once and the message appears as pending.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { plainText } from "../markdown.ts";
import { noteTyping, stopTyping } from "../state/ephemeral.ts";
import { askForNotificationsOnce } from "../state/notify.ts";
import { send, type SendTarget } from "../state/outbox.ts";
import { draft, editingId, quoting, setDraft, setQuoting } from "../state/ui.ts";
import { stageFiles, staged, takeReady, unstage, uploadsAvailable } from "../state/uploads.ts";
import { userName } from "../state/directory.ts";
import type { Message } from "../types.ts";
import { Icon } from "./Icon.tsx";
import { LIMITS } from "../../../src/chat/rules.ts";
import { broadcastSuggestions, insertionOf, MentionMenu, mentionAt, type Suggestion, useMentionSuggestions } from "./MentionMenu.tsx";
import { EmojiPicker } from "./EmojiPicker.tsx";
import { emojiSet, loadEmoji, searchEmoji, shortcodeAt } from "../emoji/data.ts";
import { api } from "../api.ts";
import { addCommandNote, commandAt, commandList, type CommandOption, loadCommands, matchCommands, parseCommand } from "../state/commands.ts";

interface Props {
  composerKey: string;
  workspaceId: string;
  target: SendTarget;
  /** For typing indicators. */
  scope: { kind: "channel" | "dm"; id: string; rootId?: string | null };
  placeholder: string;
  meId: string;
  /** Why sending is impossible here (archived, no peer), shown instead of the box. */
  disabledReason?: string | null;
  lastOwnMessage: () => Message | undefined;
  /** After a send: the conversation shows its live end, where the new message is. */
  onSent?: () => void;
  autofocus?: boolean;
}

export function Composer(props: Props) {
  const key = props.composerKey;
  const [text, setText] = useState(() => draft(key));
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const caretAfterRender = useRef<number | null>(null);
  useLayoutEffect(() => {
    const pos = caretAfterRender.current;
    if (pos === null || !box.current) return;
    caretAfterRender.current = null;
    box.current.setSelectionRange(pos, pos);
  });
  const fileInput = useRef<HTMLInputElement>(null);
  const quoted = quoting.value[key] ?? null;
  const files = staged.value[key] ?? [];
  const typingTarget = { workspaceId: props.workspaceId, kind: props.scope.kind, scopeId: props.scope.id, rootId: props.scope.rootId };

  // A different conversation: load its draft.
  useEffect(() => {
    setText(draft(key));
    if (props.autofocus !== false) box.current?.focus();
  }, [key]);
  useEffect(() => {
    if (quoted) box.current?.focus();
  }, [quoted]);
  // Grow with the text, up to a limit.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [text]);

  // One menu at a time: `/command`, `@name` (people, @channel, @here) or `:shortcode` (emoji).
  const [picking, setPicking] = useState(false);
  const [commandError, setCommandError] = useState<string | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  // Registered commands answer in a channel (the server posts the reply there); bot menus anywhere.
  const inChannel = props.scope.kind === "channel" && !props.scope.rootId;
  const atCommand = commandAt(text, caret);
  const atMention = atCommand ? null : mentionAt(text, caret);
  const atShortcode = atCommand || atMention ? null : shortcodeAt(text, caret);
  const mention = atCommand ?? atMention ?? atShortcode;
  const mentionOpen = mention !== null && dismissed !== mention.start;
  const people = useMentionSuggestions(mentionOpen && atMention ? atMention.query : null, props.meId);
  useEffect(() => {
    if (atShortcode) void loadEmoji().catch(() => {});
  }, [!!atShortcode]);
  useEffect(() => {
    if (atCommand) void loadCommands(props.workspaceId).catch(() => {});
  }, [!!atCommand, props.workspaceId]);
  const set = emojiSet.value;
  const available = (list: CommandOption[]) => (inChannel ? list : list.filter((c) => c.source === "bot"));
  const loadedCommands = commandList.value?.workspaceId === props.workspaceId ? commandList.value.list : [];
  const options: Suggestion[] = !mentionOpen
    ? []
    : atCommand
      ? matchCommands(available(loadedCommands), atCommand.query).map((option) => ({ kind: "command" as const, option }))
      : atMention
      ? [...broadcastSuggestions(atMention.query, props.scope.kind === "channel" && !props.scope.rootId), ...people.map((user) => ({ kind: "user" as const, user }))]
      : set && atShortcode
        ? searchEmoji(set, atShortcode.query, 8).map((e) => ({ kind: "emoji" as const, char: e.char, shortcode: e.shortcodes.find((c) => c.startsWith(atShortcode.query)) ?? e.shortcodes[0] ?? e.label }))
        : [];
  const listId = `mentions-${key.replace(/[^\w-]/g, "")}`;

  const update = (value: string, pos: number) => {
    setCommandError(null);
    setText(value);
    setCaret(pos);
    setDraft(key, value);
    setActive(0);
    if (value.trim()) noteTyping(typingTarget);
  };

  const insertAtCaret = (insert: string, from = caret) => {
    const before = text.slice(0, from);
    const after = text.slice(caret);
    const value = before + insert + after;
    const pos = before.length + insert.length;
    caretAfterRender.current = pos;
    update(value, pos);
  };

  const pick = (s: Suggestion) => {
    if (!mention) return;
    const before = text.slice(0, mention.start);
    const after = text.slice(caret);
    const insert = insertionOf(s);
    const value = before + insert + after;
    const pos = before.length + insert.length;
    // The caret is placed when this render commits: a frame later, a fast typist's next keys
    // would already have landed at the old position.
    caretAfterRender.current = pos;
    update(value, pos);
  };

  // The server's limit, checked here so an over-long message is never sent, cleared and lost.
  const length = text.trim().length;
  const tooLong = length > LIMITS.bodyMaxChars;
  const nearLimit = length > LIMITS.bodyMaxChars * 0.9;

  /** A `/command` line: true when it was handled here (run, or refused with a reason kept on screen). */
  const runCommand = async (parsed: { command: string; text: string }): Promise<boolean> => {
    const { command } = parsed;
    let found: CommandOption | undefined;
    try {
      found = (await loadCommands(props.workspaceId)).find((c) => c.command === command);
      // Registered a moment ago: ask once more before calling it unknown.
      found ??= (await loadCommands(props.workspaceId, true)).find((c) => c.command === command);
    } catch (err) {
      setCommandError(`Could not check the workspace's commands (${(err as Error).message}). Try again.`);
      return true;
    }
    if (!found) {
      setCommandError(`${command} is not a command in this workspace. To send this text as a message, start it with a space.`);
      return true;
    }
    if (found.source === "bot") return false;
    if (!inChannel) {
      setCommandError(`${command} runs in a channel, not in ${props.scope.kind === "dm" ? "a direct message" : "a thread"}.`);
      return true;
    }
    setRunning(command);
    try {
      const result = await api.runSlashCommand(props.scope.id, command, parsed.text);
      update("", 0);
      if (result.response_type === "ephemeral") addCommandNote(props.scope.id, result.text, command);
      props.onSent?.();
    } catch (err) {
      setCommandError(`${command} did not run: ${(err as Error).message}`);
    } finally {
      setRunning(null);
    }
    return true;
  };

  const submit = () => {
    if (running) return;
    const parsed = files.length === 0 && !quoted ? parseCommand(text) : null;
    if (parsed) {
      void runCommand(parsed).then((handled) => !handled && sendText());
      return;
    }
    sendText();
  };

  const sendText = () => {
    const body = text.trim();
    if (tooLong) return;
    if (files.some((f) => f.status === "uploading")) return; // wait for the upload; Enter again
    if (!body && !files.some((f) => f.status === "ready")) return;
    const uploads = takeReady(key);
    const first = uploads[0];
    send({ workspaceId: props.workspaceId, target: props.target, body: body || first?.filename || "", quotedMessageId: quoted?.id ?? null, uploadId: first?.id ?? null, attachmentName: first?.filename });
    // One upload per message on the wire: further files follow as their own messages.
    for (const u of uploads.slice(1)) send({ workspaceId: props.workspaceId, target: props.target, body: u.filename, quotedMessageId: null, uploadId: u.id, attachmentName: u.filename });
    update("", 0);
    setQuoting(key, null);
    stopTyping(typingTarget);
    props.onSent?.();
    askForNotificationsOnce();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.isComposing) return;
    if (mentionOpen && options.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        setActive((a) => (a + (e.key === "ArrowDown" ? 1 : options.length - 1)) % options.length);
        return;
      }
      const chosen = options[Math.min(active, options.length - 1)]!;
      // A command typed out in full runs on Enter (Tab still completes it).
      const typedInFull = e.key === "Enter" && chosen.kind === "command" && atCommand && chosen.option.command === `/${atCommand.query}`;
      if ((e.key === "Enter" || e.key === "Tab") && !typedInFull) {
        e.preventDefault();
        pick(chosen);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        setDismissed(mention!.start);
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      submit();
    } else if (e.key === "ArrowUp" && text === "") {
      const last = props.lastOwnMessage();
      if (last) {
        e.preventDefault();
        editingId.value = last.id;
      }
    } else if (e.key === "Escape" && quoted) {
      e.preventDefault();
      e.stopPropagation();
      setQuoting(key, null);
    }
  };

  const onPaste = (e: ClipboardEvent) => {
    const pasted = [...(e.clipboardData?.files ?? [])];
    if (pasted.length) {
      e.preventDefault();
      stageFiles(key, props.workspaceId, pasted);
    }
  };

  if (props.disabledReason) return <div class="composer composer-disabled">{props.disabledReason}</div>;

  return (
    <div class="composer">
      {quoted && (
        <div class="composer-quote">
          <Icon name="quote" size={16} />
          <span class="composer-quote-text">
            <strong>{userName(quoted.author_id)}</strong> {plainText(quoted.body, 120)}
          </span>
          <button type="button" class="icon-button" aria-label="Cancel quote" onClick={() => setQuoting(key, null)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      {files.length > 0 && (
        <div class="composer-files">
          {files.map((f) => (
            <div class={`staged staged-${f.status}`} title={f.error ?? f.file.name}>
              {f.preview ? <img src={f.preview} alt={f.file.name} /> : <Icon name="file" />}
              <span class="staged-name">{f.status === "uploading" ? `Uploading… ${Math.round(f.progress * 100)}%` : f.status === "failed" ? "Failed" : f.file.name}</span>
              {f.status === "uploading" && <progress class="staged-progress" max={1} value={f.progress} aria-label={`Uploading ${f.file.name}`} />}
              <button type="button" class="icon-button" aria-label={`Remove ${f.file.name}`} onClick={() => unstage(key, f.localId)}>
                <Icon name="close" size={14} />
              </button>
            </div>
          ))}
        </div>
      )}
      <div class="composer-row">
        {uploadsAvailable.value && (
          <>
            <button type="button" class="icon-button composer-attach" aria-label="Attach files" title="Attach files" onClick={() => fileInput.current?.click()}>
              <Icon name="attach" />
            </button>
            <input
              ref={fileInput}
              type="file"
              multiple
              hidden
              aria-hidden="true"
              tabIndex={-1}
              onChange={(e) => {
                const input = e.target as HTMLInputElement;
                stageFiles(key, props.workspaceId, [...(input.files ?? [])]);
                input.value = "";
              }}
            />
          </>
        )}
        <textarea
          ref={box}
          class="composer-input"
          rows={1}
          value={text}
          placeholder={props.placeholder}
          aria-label={props.placeholder}
          aria-autocomplete="list"
          aria-invalid={tooLong || !!commandError || undefined}
          aria-describedby={commandError ? `${listId}-error` : undefined}
          aria-controls={mentionOpen && options.length ? listId : undefined}
          aria-activedescendant={mentionOpen && options.length ? `${listId}-${active}` : undefined}
          onInput={(e) => {
            const el = e.target as HTMLTextAreaElement;
            update(el.value, el.selectionStart);
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(e) => setCaret((e.target as HTMLTextAreaElement).selectionStart)}
          onClick={(e) => setCaret((e.target as HTMLTextAreaElement).selectionStart)}
          onPaste={onPaste}
          onBlur={() => stopTyping(typingTarget)}
        />
        <span class="composer-emoji-wrap">
          <button type="button" class="icon-button composer-emoji" aria-label="Insert an emoji" title="Emoji" aria-expanded={picking} onClick={() => setPicking((p) => !p)}>
            <Icon name="smile" />
          </button>
          {picking && (
            <EmojiPicker
              verb="Insert"
              label="Insert an emoji"
              onPick={(emoji) => {
                setPicking(false);
                insertAtCaret(emoji);
                box.current?.focus();
              }}
              onClose={() => setPicking(false)}
            />
          )}
        </span>
        <button type="button" class="send-button" aria-label="Send" title="Send (Enter)" disabled={tooLong || (!text.trim() && !files.some((f) => f.status === "ready"))} onClick={submit}>
          <Icon name="send" />
        </button>
      </div>
      {nearLimit && (
        <div class={`composer-limit${tooLong ? " over" : ""}`} role={tooLong ? "alert" : undefined} aria-live="polite">
          {tooLong
            ? `Too long to send: ${(length - LIMITS.bodyMaxChars).toLocaleString("en")} characters over the limit of ${LIMITS.bodyMaxChars.toLocaleString("en")}. Shorten it, or attach it as a file.`
            : `${length.toLocaleString("en")} / ${LIMITS.bodyMaxChars.toLocaleString("en")} characters`}
        </div>
      )}
      {running && (
        <div class="composer-status" role="status">
          Running {running}…
        </div>
      )}
      {commandError && (
        <div class="composer-limit over" id={`${listId}-error`} role="alert">
          {commandError}
        </div>
      )}
      {mentionOpen && <MentionMenu id={listId} options={options} active={Math.min(active, options.length - 1)} onPick={pick} />}
    </div>
  );
}
