// A recording fake Messages API upstream for capturing Claude Code traffic: it answers on
// 127.0.0.1 with SSE streams (text, tool_use, title JSON) scripted by the current step, and keeps
// every request it received with the tool_use ids it answered with.

import { createServer } from 'node:http';

/** Tool-use ids are numbered by the fake, so a capture is reproducible. */
let nextToolId = 1;
const toolUseId = () => `toolu_corpus_${String(nextToolId++).padStart(4, '0')}`;

function header(headers, name) {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The user turns since the last one that carried the user's own text (the current task's tool rounds). */
function toolRoundsSinceText(messages) {
  let rounds = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'user') continue;
    const blocks = typeof m.content === 'string' ? [{ type: 'text' }] : m.content;
    if (blocks.some((b) => b.type === 'tool_result')) rounds++;
    else break;
  }
  return rounds;
}

function sse(res, events) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_corpus_${Date.now()}` });
  for (const [type, data] of events) res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  res.end();
}

function messageEvents(model, blocks, inputTokens) {
  const events = [
    ['message_start', { message: { id: `msg_corpus_${Date.now()}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } } }],
  ];
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(['content_block_start', { index, content_block: { type: 'text', text: '' } }]);
      events.push(['content_block_delta', { index, delta: { type: 'text_delta', text: block.text } }]);
    } else {
      events.push(['content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }]);
      events.push(['content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }]);
    }
    events.push(['content_block_stop', { index }]);
  });
  const toolUse = blocks.some((b) => b.type === 'tool_use');
  events.push(['message_delta', { delta: { stop_reason: toolUse ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 20 } }]);
  events.push(['message_stop', {}]);
  return events;
}

/**
 * The answer to one request under a plan `{ answer, tools: [{name, input}], agent: {…plan} , title }`:
 * the next scripted tool call of the task while any remain, then the final text.
 */
function answer(plan, body, isAgent) {
  if (!Array.isArray(body.tools) || body.tools.length === 0) {
    if (body.output_config?.format !== undefined) return [{ type: 'text', text: JSON.stringify({ title: plan.title ?? 'Corpus session' }) }];
  }
  const task = isAgent ? plan.agent : plan;
  const calls = task?.tools ?? [];
  const round = toolRoundsSinceText(body.messages);
  if (round < calls.length) {
    const call = calls[round];
    return [
      { type: 'text', text: call.say ?? 'Let me check.' },
      { type: 'tool_use', id: toolUseId(), name: call.name, input: call.input },
    ];
  }
  return [{ type: 'text', text: task?.answer ?? 'Done.' }];
}

export async function startFake() {
  const records = [];
  const state = { plan: { answer: 'Done.' }, step: null };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      if (req.method === 'HEAD' || req.method === 'GET') {
        if (path.startsWith('/v1/models')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ data: [], has_more: false, first_id: null, last_id: null }));
          return;
        }
        res.writeHead(200);
        res.end();
        return;
      }
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"type":"error","error":{"type":"invalid_request_error","message":"bad json"}}');
        return;
      }
      const record = { path, headers: req.headers, body, step: state.step, answered: [] };
      records.push(record);
      if (path.startsWith('/v1/messages/count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ input_tokens: Math.round(JSON.stringify(body).length / 4) }));
        return;
      }
      const isAgent = header(req.headers, 'x-claude-code-agent-id') !== undefined;
      const blocks = answer(state.plan, body, isAgent);
      record.answered = blocks.filter((b) => b.type === 'tool_use').map((b) => b.id);
      const inputTokens = Math.round(JSON.stringify(body).length / 4);
      if (body.stream === true) sse(res, messageEvents(body.model, blocks, inputTokens));
      else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `msg_corpus_${Date.now()}`,
            type: 'message',
            role: 'assistant',
            model: body.model,
            content: blocks,
            stop_reason: record.answered.length > 0 ? 'tool_use' : 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: inputTokens, output_tokens: 20 },
          }),
        );
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    state,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
