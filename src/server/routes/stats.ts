import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../anthropic/errors.js';
import type { LiveTelemetry } from '../../telemetry/live.js';
import { BUCKETS, GROUP_BY, isGroupBy, type BucketSize } from '../../telemetry/stats.js';
import { parseTimeBound, TimeBoundError } from '../../telemetry/time-bound.js';
import type { AppContext } from '../context.js';

// A repeated parameter arrives as an array.
interface StatsQuerystring {
  since?: string | string[];
  until?: string | string[];
  by?: string | string[];
  bucket?: string | string[];
}

/** One value of a parameter; given twice, it means nothing. */
function single(name: string, value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) throw new ApiError('invalid_request_error', `${name} may be given once`);
  return value;
}

const isBucket = (value: string): value is BucketSize => (BUCKETS as readonly string[]).includes(value);

/**
 * GET /stats: the same JSON as `claude-api-proxy stats --json` over the configured directory
 * (optional ?since=&until=&by= as on the command line, and ?bucket= for the timeline's step). GET /stats/live: what only the running
 * server knows — backend health, telemetry writer counters and the most recent decisions.
 */
export async function statsRoutes(app: FastifyInstance, ctx: AppContext, live: LiveTelemetry): Promise<void> {
  app.get<{ Querystring: StatsQuerystring }>('/stats', async (request, reply) => {
    const since = single('since', request.query.since);
    const until = single('until', request.query.until);
    const by = single('by', request.query.by);
    const bucket = single('bucket', request.query.bucket);
    const now = ctx.now();
    if (by !== undefined && !isGroupBy(by)) throw new ApiError('invalid_request_error', `by must be one of ${GROUP_BY.join(', ')}`);
    if (bucket !== undefined && !isBucket(bucket)) throw new ApiError('invalid_request_error', `bucket must be one of ${BUCKETS.join(', ')}`);
    let filter;
    try {
      filter = {
        since: since ? parseTimeBound(since, now, 'since') : null,
        until: until ? parseTimeBound(until, now, 'until') : null,
        by: by ?? null,
        bucket: bucket ?? 'auto',
      };
    } catch (error) {
      if (error instanceof TimeBoundError) throw new ApiError('invalid_request_error', error.message);
      throw error;
    }
    const report = await live.stats(filter, JSON.stringify([since, until, by, bucket]));
    return reply.header('cache-control', 'no-store').send(report);
  });

  app.get('/stats/live', async (_request, reply) => {
    const counters = ctx.telemetry.counters;
    return reply.header('cache-control', 'no-store').send({
      generated_at: ctx.now().toISOString(),
      backend: { name: ctx.local.backend, enabled: ctx.local.enabled, healthy: ctx.local.enabled && ctx.local.healthy() },
      telemetry: { enabled: ctx.config.telemetry.enabled, written: counters.written, lost: counters.failed },
      recent: live.recent.list(),
    });
  });
}
