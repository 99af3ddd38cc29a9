import { EventEmitter, once } from 'node:events';
import type { FastifyInstance } from 'fastify';

/** Counts responses still open, so shutdown knows when draining is done. */
export class InFlight extends EventEmitter {
  private count = 0;

  install(app: FastifyInstance): void {
    app.addHook('onRequest', (_request, reply, done) => {
      this.count++;
      reply.raw.once('close', () => {
        if (--this.count === 0) this.emit('drained');
      });
      done();
    });
  }

  async drained(): Promise<void> {
    if (this.count > 0) await once(this, 'drained');
  }
}
