// The real Claude Code CLI (`CLAUDE_CODE_BIN`) run once in print mode against a proxy, as a user
// runs it: its default model, no --model and no effort flag.
import { execFile } from 'node:child_process';

/** The claude binary the real-CLI suites run; without CLAUDE_CODE_BIN they do not load. */
export function claudeCodeBin(): string {
  const bin = process.env.CLAUDE_CODE_BIN;
  if (!bin) throw new Error('set CLAUDE_CODE_BIN to the claude binary');
  return bin;
}

/** What `--output-format json` prints. */
export interface ClaudeResult {
  subtype: string;
  is_error: boolean;
  num_turns: number;
  result: string;
  usage: { input_tokens: number; output_tokens: number };
}

export interface ClaudeRun {
  bin: string;
  /** The proxy, as ANTHROPIC_BASE_URL. */
  url: string;
  /** HOME and working directory of the run. */
  home: string;
  prompt: string;
  flags?: string[];
  timeoutMs: number;
}

/** Runs the CLI; null when it had printed no result by `timeoutMs` (it is then killed). */
export function runClaude(run: ClaudeRun): Promise<ClaudeResult | null> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: run.home,
    ANTHROPIC_BASE_URL: run.url,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  return new Promise((resolve, reject) => {
    const child = execFile(run.bin, ['-p', run.prompt, '--output-format', 'json', ...(run.flags ?? [])], { env, cwd: run.home, timeout: run.timeoutMs }, (error, stdout, stderr) => {
      // Reaching --max-turns exits non-zero with the result still printed.
      if (stdout.trim().startsWith('{')) resolve(JSON.parse(stdout) as ClaudeResult);
      else if (error && child.killed) resolve(null);
      else reject(new Error(`claude exited without a result (${error?.message ?? 'no output'}): ${stderr.slice(0, 2000)}`));
    });
    // With stdin left open, print mode waits 3 s for piped input before it starts.
    child.stdin?.end();
  });
}
