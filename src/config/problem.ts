/** One bad field of a configuration: where, what it held, and what was expected. */
export interface ConfigProblem {
  path: string;
  value: unknown;
  expected: string;
  /** Where the value came from (a file and line, an environment variable, a flag); the error's source otherwise. */
  source?: string;
}
