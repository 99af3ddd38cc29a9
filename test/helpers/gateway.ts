import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { anthropicLike, FakeUpstream, type Handler } from './fake-anthropic.js';
import { startProxy, type DeepPartial, type RunningProxy } from './proxy.js';

type ProxyOptions = Parameters<typeof startProxy>[1];

/** A fake Anthropic upstream and the real proxy pointed at it, started and stopped together. */
export interface Gateway {
  upstream: FakeUpstream;
  proxy: RunningProxy;
  /** An SDK client of the proxy with a client credential and no retries. */
  client(options?: { apiKey?: string }): Anthropic;
  close(): Promise<void>;
}

export interface GatewayOptions extends NonNullable<ProxyOptions> {
  /** How the fake upstream answers; Anthropic-like by default. */
  handler?: Handler;
  /** Config document merged over `remote.url` (which points at the fake upstream). */
  settings?: DeepPartial<Config> | Record<string, unknown>;
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const { handler, settings = {}, ...proxyOptions } = options;
  const upstream = await new FakeUpstream(handler ?? anthropicLike()).start();
  const document = structuredClone(settings) as Record<string, unknown>;
  document.remote = { url: upstream.url, ...((document.remote ?? {}) as Record<string, unknown>) };
  const proxy = await startProxy(document, proxyOptions);
  return {
    upstream,
    proxy,
    client: ({ apiKey = 'sk-ant-client' } = {}) => new Anthropic({ baseURL: proxy.url, apiKey, maxRetries: 0 }),
    async close() {
      await proxy.close();
      await upstream.stop();
    },
  };
}

/**
 * Registers beforeAll/afterAll for one gateway shared by a test file. The returned object is filled
 * in before the first test runs.
 */
export function useGateway(options: GatewayOptions | (() => GatewayOptions) = {}): Gateway {
  const holder = {} as Gateway;
  beforeAll(async () => {
    Object.assign(holder, await startGateway(typeof options === 'function' ? options() : options));
  });
  afterAll(async () => {
    await holder.close();
  });
  return holder;
}
