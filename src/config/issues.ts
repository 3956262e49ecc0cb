import type { z } from 'zod';

/** One readable line for a zod issue: `key.path: expected X, got Y`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join('.') || '(top level)';
  const got = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));
  switch (issue.code) {
    case 'invalid_value':
      return `${key}: expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${got(issue.input)}`;
    case 'invalid_type':
      return `${key}: expected ${issue.expected}, got ${got(issue.input)}`;
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => `${issue.path.length ? `${key}.` : ''}${k}: unknown setting (see config/default.yaml for the valid keys)`)
        .join('; ');
    case 'too_small':
      return `${key}: expected ${issue.origin === 'string' ? 'a non-empty value' : `a value ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`}, got ${got(issue.input)}`;
    case 'too_big':
      return `${key}: expected a value ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}, got ${got(issue.input)}`;
    case 'invalid_format':
      return `${key}: expected ${issue.format === 'regex' ? issue.message : issue.format}, got ${got(issue.input)}`;
    default:
      return `${key}: expected ${issue.message}, got ${got(issue.input)}`;
  }
}
