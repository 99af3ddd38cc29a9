import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/commands/command.js';
import { parseCommand } from '../../src/commands/parse.js';
import { COMMANDS } from '../../src/commands/registry.js';
import { cli } from '../helpers/cli.js';

const env = { HOME: '/nonexistent-home' };

describe('help', () => {
  it.each(COMMANDS.map((c) => c.name))('%s --help prints its own usage, options and exits 0', async (name) => {
    const { code, out, err } = await cli([name, '--help'], env);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(new RegExp(`^Usage: claude-api-proxy ${name}\\b`));
    expect(out).toContain('  -h, --help');
    expect((await cli(['help', name], env)).out).toBe(out);
  });

  it('the global help lists every command', async () => {
    const { code, out } = await cli(['--help'], env);
    expect(code).toBe(0);
    for (const c of COMMANDS) expect(out).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[()]/g, '\\$&')}$`, 'm'));
  });

  it('help for a command that does not exist is a usage error', async () => {
    const { code, err } = await cli(['help', 'nope'], env);
    expect(code).toBe(2);
    expect(err).toContain('claude-api-proxy help: no command "nope"');
  });
});

describe('usage errors: a message in words and exit code 2', () => {
  it.each([
    [['check-config', 'a.yaml', 'b.yaml'], 'claude-api-proxy check-config: takes at most 1 FILE (extra: "b.yaml")'],
    [['check-config'], 'claude-api-proxy check-config: needs FILE'],
    [['serve', '--prot', '9000'], 'claude-api-proxy serve: unknown option --prot (did you mean --port?)'],
    [['--prot', '9000'], 'claude-api-proxy serve: unknown option --prot (did you mean --port?)'],
    [['serve', '--port'], 'claude-api-proxy serve: --port needs a value (N)'],
    [['serve', '--port', '--host', 'x'], 'claude-api-proxy serve: --port needs a value (N) before --host'],
    [['doctor', '--deep=yes'], 'claude-api-proxy doctor: --deep takes no value'],
    [['docter'], 'claude-api-proxy: unknown command "docter" (did you mean doctor?)'],
    [['status', 'now'], 'claude-api-proxy status: takes no arguments (got "now")'],
    [['stats', '--by', 'colour'], 'claude-api-proxy stats: --by "colour" must be one of: day, model, route, reason, session'],
    [['stats', '--by=rout'], 'claude-api-proxy stats: --by "rout" must be one of: day, model, route, reason, session (did you mean route?)'],
    [['explain', '--local', 'maybe'], 'claude-api-proxy explain: --local "maybe" must be one of: healthy, unhealthy'],
    [['explain', '--local=unhealty'], 'claude-api-proxy explain: --local "unhealty" must be one of: healthy, unhealthy (did you mean unhealthy?)'],
    [['feedback', 'req_x'], 'claude-api-proxy feedback: needs REQUEST_ID and local or remote'],
    [['feedback', 'req_x', 'local', 'now'], 'claude-api-proxy feedback: takes at most 2 REQUEST_ID and local or remote (extra: "now")'],
    [['feedback', 'req_x', 'sideways'], 'claude-api-proxy feedback: route "sideways" must be one of: local, remote'],
    [['feedback', 'req_x', 'lcoal'], 'claude-api-proxy feedback: route "lcoal" must be one of: local, remote (did you mean local?)'],
    [['completion', 'tcsh'], 'claude-api-proxy completion: no completion for "tcsh": bash, zsh or fish'],
    [['env', '--shell', 'csh'], 'claude-api-proxy env: --shell "csh" must be one of: sh, fish (did you mean sh?)'],
    [['env', '--shell=zsh'], 'claude-api-proxy env: --shell "zsh" must be one of: sh, fish (did you mean sh?)'],
  ])('%j', async (argv, message) => {
    const { code, err, out } = await cli(argv, env);
    expect(out).toBe('');
    expect(err.split('\n')[0]).toBe(message);
    expect(err).toMatch(/Run 'claude-api-proxy (\S+ )?--help' for usage\./);
    expect(err).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /);
    expect(code).toBe(2);
  });
});

describe('an option with choices takes only those', () => {
  const colours: Command = {
    usage: '[--colour C]...',
    description: 'test command',
    options: { colour: { type: 'string', short: 'k', multiple: true, help: 'a colour', choices: ['red', 'green'] } },
    args: { min: 0, max: 0 },
    run: () => Promise.resolve(0),
  };

  it('keeps every allowed value of a repeatable option, in any spelling of the option', () => {
    expect(parseCommand('paint', colours, ['--colour', 'red', '--colour=green', '-k', 'red']).values.colour).toEqual(['red', 'green', 'red']);
  });

  it.each([
    [['--colour', 'red', '--colour', 'blue'], '--colour "blue" must be one of: red, green'],
    [['--colour=red', '--colour=gren'], '--colour "gren" must be one of: red, green (did you mean green?)'],
    [['-k', 'read'], '-k "read" must be one of: red, green (did you mean red?)'],
  ])('refuses a value outside them in a repeated option: %j', (argv, message) => {
    expect(() => parseCommand('paint', colours, argv)).toThrow(message);
  });
});
