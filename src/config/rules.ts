import type { RoutingRule } from './schema.js';
import type { ConfigProblem } from './problem.js';
import { QUERY_REGEX_FLAGS } from '../shared/regex.js';
import { errorMessage } from '../shared/errors.js';

const RANGE_KEYS = ['queryTokens', 'conversationTokens', 'requestTokens'] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Checks what the schema cannot: regexes compile, ranges are ordered, header names are names, time windows are not empty. */
export function validateRules(rules: readonly RoutingRule[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  rules.forEach((rule, index) => {
    const at = `routing.rules[${index}].match`;
    if (rule.match.queryRegex !== undefined) {
      try {
        new RegExp(rule.match.queryRegex, QUERY_REGEX_FLAGS);
      } catch (error) {
        problems.push({ path: `${at}.queryRegex`, value: rule.match.queryRegex, expected: `a valid regular expression (${errorMessage(error)})` });
      }
    }
    for (const key of RANGE_KEYS) {
      const range = rule.match[key];
      if (range?.min !== undefined && range.max !== undefined && range.min > range.max) {
        problems.push({ path: `${at}.${key}`, value: range, expected: 'min not greater than max' });
      }
    }
    for (const name of Object.keys(rule.match.headers ?? {})) {
      if (!HEADER_NAME.test(name)) problems.push({ path: `${at}.headers`, value: name, expected: 'HTTP header names (letters, digits and -)' });
    }
    if (rule.match.time && rule.match.time.from === rule.match.time.to) {
      problems.push({ path: `${at}.time`, value: rule.match.time, expected: 'a window whose from and to differ' });
    }
  });
  return problems;
}
