// A tiny stand-in for the Anthropic API inside the NixOS VM test: POST /v1/messages answers one
// fixed message and logs which credentials arrived, so the test can see the proxy passed them on.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 9099);

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    console.log(`${req.method} ${req.url} x-api-key=${req.headers['x-api-key'] ?? '-'} bytes=${body.length}`);
    if (req.method !== 'POST' || !req.url.startsWith('/v1/messages')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'not here' } }));
      return;
    }
    const request = JSON.parse(body);
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake_1' });
    res.end(
      JSON.stringify({
        id: 'msg_fake_1',
        type: 'message',
        role: 'assistant',
        model: request.model,
        content: [{ type: 'text', text: 'hello from the fake upstream' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 7, output_tokens: 5 },
      }),
    );
  });
}).listen(port, '127.0.0.1', () => console.log(`fake anthropic on 127.0.0.1:${port}`));
