import type { MessageParam } from '../anthropic/types.js';

/** What Claude Code adds to a user turn besides the user's words: reminders, and the record of a local slash command. */
const MACHINERY = /<(system-reminder|local-command-caveat|local-command-stdout|local-command-stderr|command-name|command-message|command-args)>[\s\S]*?<\/\1>/g;
/** A text block Claude Code made for a local slash command (/compact, /context, …): none of it is the user's prompt. */
const COMMAND_BLOCK = /^\s*<(local-command-|command-name>)/;

/**
 * The text the user last wrote: the latest user turn's text, without `<system-reminder>` blocks,
 * without the record of local slash commands (`<command-name>`, `<local-command-stdout>`, …) and
 * without tool results. A turn that holds only tool results has no user-authored text.
 */
export function latestUserText(messages: readonly MessageParam[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'user') continue;
    if (typeof message.content === 'string') return stripReminders(message.content);
    const parts: string[] = [];
    let onlyToolResults = true;
    for (const block of message.content) {
      if (block.type === 'text' && typeof block.text === 'string') {
        onlyToolResults = false;
        if (COMMAND_BLOCK.test(block.text)) continue;
        const text = stripReminders(block.text);
        if (text !== '') parts.push(text);
      } else if (block.type !== 'tool_result') onlyToolResults = false;
    }
    if (parts.length > 0 || !onlyToolResults) return parts.join('\n');
    return '';
  }
  return '';
}

function stripReminders(text: string): string {
  // The cheap test first: most texts hold no tag at all.
  return text.includes('<') ? text.replace(MACHINERY, '').trim() : text.trim();
}

/** The text of the `role:"system"` turns Claude Code puts into the messages (where it notes an ultrathink). */
export function systemTurnText(messages: readonly MessageParam[]): string {
  let text = '';
  for (const message of messages) {
    if (message.role !== 'system') continue;
    if (typeof message.content === 'string') text += message.content;
    else for (const block of message.content) if (block.type === 'text' && typeof block.text === 'string') text += block.text;
  }
  return text;
}
