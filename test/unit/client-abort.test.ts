import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientAbort } from '../../src/server/client-abort.js';

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

/** One request to a real server; `handle` gets the response and the ClientAbort made for it. */
async function exchange(handle: (res: ServerResponse, abort: ClientAbort) => void, clientGoesAway: boolean): Promise<void> {
  server = createServer((_req, res) => handle(res, new ClientAbort(res)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      res.resume();
      res.once('end', resolve);
      if (clientGoesAway) {
        req.destroy();
        resolve();
      }
    });
    req.once('error', () => resolve());
    req.end();
  });
}

describe('ClientAbort', () => {
  it('emits abort once and aborts a signal made earlier when the client goes away mid-response', async () => {
    let events = 0;
    const seen = new Promise<{ aborted: boolean; signalAborted: boolean }>((resolve) => {
      void exchange((res, abort) => {
        const signal = abort.signal;
        abort.on('abort', () => {
          events++;
          setTimeout(() => resolve({ aborted: abort.aborted, signalAborted: signal.aborted }), 20);
        });
        res.writeHead(200);
        res.write('partial');
      }, true);
    });
    expect(await seen).toEqual({ aborted: true, signalAborted: true });
    expect(events).toBe(1);
  });

  it('a signal asked for after the client went away is already aborted', async () => {
    const seen = new Promise<boolean>((resolve) => {
      void exchange((res, abort) => {
        abort.once('abort', () => resolve(abort.signal.aborted));
        res.writeHead(200);
        res.write('partial');
      }, true);
    });
    expect(await seen).toBe(true);
  });

  it('a finished response is not an abort', async () => {
    let state: ClientAbort | null = null;
    await exchange((res, abort) => {
      state = abort;
      res.end('done');
    }, false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state!.aborted).toBe(false);
    expect(state!.signal.aborted).toBe(false);
  });
});
