import { VERSION } from '../version.js';
import type { Described } from './completion-scripts.js';
import { optionRows, PROGRAM } from './usage-text.js';

/** Text as roff reads it: backslashes and hyphens escaped, no line starting with a control character. */
const roff = (text: string): string =>
  text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');

function commandSection(d: Described): string[] {
  const { command } = d;
  const lines = ['.SS ' + roff(`${d.name}${command.usage ? ` ${command.usage}` : ''}`), roff(`${d.summary}.`), '.PP', roff(command.description)];
  for (const [flags, help] of optionRows(command)) lines.push('.TP', `.B ${roff(flags.trim())}`, roff(help));
  if (command.examples?.length) lines.push('.PP', 'Example:', '.PP', '.RS', '.nf', ...command.examples.map(roff), '.fi', '.RE');
  return lines;
}

/** The manual page, generated from the same command table as --help (man/claude-api-proxy.1). */
export function manPage(all: readonly Described[]): string {
  return [
    `.TH CLAUDE\\-API\\-PROXY 1 "" "${PROGRAM} ${VERSION}" "User Commands"`,
    '.SH NAME',
    `${roff(PROGRAM)} \\- a local gateway for Claude Code: local LLM or Anthropic, per request`,
    '.SH SYNOPSIS',
    `.B ${roff(PROGRAM)}`,
    '[\\fICOMMAND\\fR] [\\fIOPTIONS\\fR]',
    '.SH DESCRIPTION',
    roff(`Claude Code (or any Anthropic SDK client) talks to it through ANTHROPIC_BASE_URL. Each request is answered
by a local LLM when it can be, and otherwise forwarded to Anthropic byte for byte; tokens and money saved
are counted. Without a command it runs serve. First day: ${PROGRAM} init, then ${PROGRAM} code.`),
    '.SH COMMANDS',
    ...all.flatMap(commandSection),
    '.SH ENVIRONMENT',
    '.TP',
    '.B PROXY_PORT, PROXY_HOST',
    roff('listen.port and listen.host (a flag wins over them, they win over the file).'),
    '.TP',
    '.B HYBRID_COORDINATOR_URL, AIDB_MCP_URL',
    roff('local.url (for local.kind coordinator) and rag.url.'),
    '.TP',
    '.B ANTHROPIC_API_KEY, ANTHROPIC_API_KEY_FILE',
    roff('a key for requests that bring none (remote.apiKeyFile).'),
    '.TP',
    '.B JOURNAL_STREAM',
    roff('set by systemd: log lines then carry journald priorities.'),
    '.SH FILES',
    '.TP',
    '.I $XDG_CONFIG_HOME/claude\\-api\\-proxy/config.yaml',
    roff(`the configuration (${PROGRAM} config shows it with the source of each value).`),
    '.TP',
    '.I $XDG_DATA_HOME/nixos\\-ai\\-stack/telemetry/',
    roff('one JSON line per request, a file a day (telemetry.dir).'),
    '.SH EXIT STATUS',
    roff('0 ok, 1 runtime error (a backend down, nothing can go local), 2 invalid configuration or usage.'),
    '',
  ].join('\n');
}
