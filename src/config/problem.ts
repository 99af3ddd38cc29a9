/** One bad field of a configuration: where, what it held, and what was expected. */
export interface ConfigProblem {
  path: string;
  value: unknown;
  expected: string;
}
