import type { FastifyRequest } from 'fastify';

/** Keeps the body as the exact bytes received: the remote route forwards them untouched. */
export function rawBodyParser(_request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: Buffer) => void): void {
  done(null, body);
}
