import type { RoutingRule } from './schema.js';
import type { ConfigProblem } from './load.js';

const RANGE_KEYS = ['queryTokens', 'conversationTokens', 'requestTokens'] as const;

/** Checks what the schema cannot: regexes compile, ranges are ordered, time windows are not empty. */
export function validateRules(rules: readonly RoutingRule[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  rules.forEach((rule, index) => {
    const at = `routing.rules[${index}].match`;
    if (rule.match.queryRegex !== undefined) {
      try {
        new RegExp(rule.match.queryRegex, 'u');
      } catch (error) {
        problems.push({ path: `${at}.queryRegex`, value: rule.match.queryRegex, expected: `a valid regular expression (${(error as Error).message})` });
      }
    }
    for (const key of RANGE_KEYS) {
      const range = rule.match[key];
      if (range?.min !== undefined && range.max !== undefined && range.min > range.max) {
        problems.push({ path: `${at}.${key}`, value: range, expected: 'min not greater than max' });
      }
    }
    if (rule.match.time && rule.match.time.from === rule.match.time.to) {
      problems.push({ path: `${at}.time`, value: rule.match.time, expected: 'a window whose from and to differ' });
    }
  });
  return problems;
}
