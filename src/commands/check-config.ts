import { loadConfig, type Env } from '../config/load.js';

/** Validates a configuration file; prints what is wrong. */
export async function checkConfig(file: string, env: Env, out: NodeJS.WritableStream): Promise<void> {
  const { config } = await loadConfig({ file, env });
  out.write(`${file}: valid (listen ${config.listen.host}:${config.listen.port}, local ${config.local.kind} ${config.local.url}, ${config.routing.rules.length} rules)\n`);
}
