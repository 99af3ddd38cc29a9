/** Where a breaker stands: closed lets everything through, open nothing, half-open one trial. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker: opens after `failures` consecutive failures, lets one trial request through
 * after `cooldownMs` (half-open), and closes again on its success.
 */
export class Breaker {
  private consecutive = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly nowMs: () => number,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.nowMs() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a request may be sent now; in half-open only one trial at a time. Pair with an outcome. */
  acquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.consecutive = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  failure(): void {
    this.consecutive += 1;
    const wasTrial = this.trialInFlight;
    this.trialInFlight = false;
    if (wasTrial || this.consecutive >= this.failures) this.openedAt = this.nowMs();
  }

  /** The request ended without saying anything about the backend (client gone, request refused before sending). */
  release(): void {
    this.trialInFlight = false;
  }
}
