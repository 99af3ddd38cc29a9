import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * Pipelined requests are handled one at a time, each once its answer may be written: Node parses
 * every request a client pipelines and would otherwise run them all at once (2000 on one connection
 * became 1690 concurrent upstream calls). Node gives a queued response its socket when the one before
 * it has finished. A request whose connection closes while it waits is dropped before anything counts it.
 */
export function oneAtATimePerConnection(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const res = reply.raw;
  if (res.socket !== null) {
    done();
    return;
  }
  const start = () => {
    request.raw.off('close', abandon);
    done();
  };
  const abandon = () => res.off('socket', start);
  res.once('socket', start);
  request.raw.once('close', abandon);
}
