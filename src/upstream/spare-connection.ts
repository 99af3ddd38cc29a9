import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';

/**
 * A connector that has the next connection open before a request needs it. llama-server closes its
 * connection after every streamed answer, so without this each request would first wait for a new
 * connection (and for the server to accept it). When a connection this connector handed out closes,
 * one replacement is opened at once and kept until the next connect. A spare the server closes while
 * idle is not replaced, so an idle proxy opens nothing; at most one spare exists at a time.
 */
export class SpareConnector {
  private spare: Socket | null = null;
  /** How the last connection was made: a spare is made the same way (the pool has one origin). */
  private last: buildConnector.Options | null = null;
  private opening = false;
  private closed = false;

  constructor(private readonly base: buildConnector.connector) {}

  readonly connect: buildConnector.connector = (options, callback) => {
    this.last = options;
    const spare = this.take();
    if (spare !== null) {
      this.handOut(spare);
      // undici ignores a connection handed over before its connect call has returned.
      queueMicrotask(() => callback(null, spare));
      return;
    }
    this.base(options, (error, socket) => {
      if (socket) this.handOut(socket);
      if (error) callback(error, null);
      else if (socket) callback(null, socket);
    });
  };

  /** Drops the spare and opens no more. */
  close(): void {
    this.closed = true;
    this.spare?.destroy();
    this.spare = null;
  }

  /** The spare if the server has not closed it, detached from the watch that held it. */
  private take(): Socket | null {
    const socket = this.spare;
    this.spare = null;
    if (socket === null) return null;
    socket.off('data', drop).off('end', drop).off('close', this.spareClosed);
    if (socket.destroyed || socket.readyState !== 'open') {
      socket.destroy();
      return null;
    }
    socket.pause();
    socket.ref();
    return socket;
  }

  private handOut(socket: Socket): void {
    socket.once('close', () => this.replace());
  }

  private replace(): void {
    const options = this.last;
    if (this.closed || this.spare !== null || this.opening || options === null) return;
    this.opening = true;
    this.base(options, (error, socket) => {
      this.opening = false;
      if (error || !socket) return;
      if (this.closed || this.spare !== null) {
        socket.destroy();
        return;
      }
      this.hold(socket);
    });
  }

  /** Keeps the spare read (so a close by the server is seen at once) without holding the process open. */
  private hold(socket: Socket): void {
    this.spare = socket;
    socket.unref();
    // The server sends nothing before a request: bytes or an end mean the connection is not usable.
    socket.on('data', drop).on('end', drop).on('close', this.spareClosed);
  }

  private readonly spareClosed = (): void => {
    this.spare = null;
  };
}

function drop(this: Socket): void {
  this.destroy();
}
