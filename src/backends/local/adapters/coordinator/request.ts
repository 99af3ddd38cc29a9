import type { MessageParam, MessagesRequest } from '../../../../anthropic/types.js';
import type { PreparedRequest } from '../../types.js';

/** The `POST /query` body for a prepared request: the conversation as one prompt, generated locally. */
export function coordinatorQuery(request: PreparedRequest): Record<string, unknown> {
  const { body } = request;
  return {
    prompt: renderPrompt(body),
    generate_response: true,
    prefer_local: true,
    context: { client: 'claude-api-proxy', max_tokens: body.max_tokens },
  };
}

function messageText(message: MessageParam): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : ''))
    .filter((text) => text !== '')
    .join('\n\n');
}

/** The conversation as one prompt: the system text, then the turns; a lone question goes as it is. */
function renderPrompt(body: MessagesRequest): string {
  const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => b.text).join('\n\n');
  const turns = body.messages.map((m) => ({ role: m.role, text: messageText(m) })).filter((t) => t.text !== '');
  if (system === '' && turns.length === 1 && turns[0]?.role === 'user') return turns[0].text;
  const lines = system === '' ? [] : [system];
  for (const turn of turns) lines.push(`${turn.role === 'assistant' ? 'Assistant' : 'User'}: ${turn.text}`);
  lines.push('Assistant:');
  return lines.join('\n\n');
}
