import type { Entry } from './command.js';

export type { Entry } from './command.js';

/** Every command, in the order help lists them. Adding one: a module exporting `command`, and a line here. */
export const COMMANDS: readonly Entry[] = [
  { name: 'serve', summary: 'run the proxy (the default command)', load: async () => (await import('./serve.js')).command },
  { name: 'init', summary: 'find local LLM servers and write a starter configuration', load: async () => (await import('./init.js')).command },
  { name: 'code', summary: 'run Claude Code through the proxy (starting it when needed)', load: async () => (await import('./code.js')).command },
  { name: 'status', summary: 'is the proxy up, its backends, today\'s local share and savings', load: async () => (await import('./status.js')).command },
  { name: 'statusline', summary: 'one line for Claude Code\'s status line: local share and savings today', load: async () => (await import('./statusline.js')).command },
  { name: 'env', summary: 'print the shell exports that point Claude Code at the proxy', load: async () => (await import('./env.js')).command },
  { name: 'doctor', summary: 'probe the local backend, AIDB and the remote API; say what to fix', load: async () => (await import('./doctor.js')).command },
  { name: 'config', summary: 'print the effective configuration and where each value came from', load: async () => (await import('./config.js')).command },
  { name: 'check-config', summary: 'validate a configuration file as serve would', load: async () => (await import('./check-config.js')).command },
  { name: 'explain', summary: 'print the routing decision for a request, send nothing', load: async () => (await import('./explain.js')).command },
  { name: 'stats', summary: 'requests, savings, latency from the telemetry files', load: async () => (await import('./stats.js')).command },
  { name: 'eval-routing', summary: 'replay labelled requests through the router and score its decisions', load: async () => (await import('./eval-routing.js')).command },
  { name: 'feedback', summary: 'correct one routing decision (local or remote)', load: async () => (await import('./feedback.js')).command },
  { name: 'completion', summary: 'print a shell completion script (bash, zsh, fish)', load: async () => (await import('./completion.js')).command },
  { name: 'help', summary: 'help for a command', load: async () => (await import('./help.js')).command },
];

export const findCommand = (name: string, commands: readonly Entry[] = COMMANDS): Entry | undefined => commands.find((c) => c.name === name);
