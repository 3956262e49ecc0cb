import type { z } from 'zod';
import { nearest } from './nearest.js';
import { keysAt } from './schema-keys.js';

/** One readable line per problem (an issue naming three unknown keys is three problems). */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap(describeIssue);
}

function unknownKey(section: readonly PropertyKey[], key: string): string {
  const prefix = section.map(String).join('.');
  const name = (k: string) => (prefix ? `${prefix}.${k}` : k);
  const guess = nearest(key, keysAt(section));
  return `${name(key)}: unknown setting${guess ? `; did you mean ${name(guess)}?` : ' (see config/default.yaml for the valid keys)'}`;
}

/** Readable lines for a zod issue: `key.path: expected X, got Y`. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  return issue.code === 'unrecognized_keys' ? issue.keys.map((k) => unknownKey(issue.path, k)) : [describeValue(issue)];
}

function describeValue(issue: Exclude<z.core.$ZodIssue, z.core.$ZodIssueUnrecognizedKeys>): string {
  const key = issue.path.map(String).join('.') || '(top level)';
  const got = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));
  switch (issue.code) {
    case 'invalid_value':
      return `${key}: expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${got(issue.input)}`;
    case 'invalid_type':
      return `${key}: expected ${issue.expected}, got ${got(issue.input)}`;
    case 'too_small':
      return `${key}: expected ${issue.origin === 'string' ? 'a non-empty value' : `a value ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`}, got ${got(issue.input)}`;
    case 'too_big':
      return `${key}: expected a value ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}, got ${got(issue.input)}`;
    case 'invalid_format':
      return `${key}: expected ${issue.format === 'regex' ? issue.message : issue.format}, got ${got(issue.input)}`;
    case 'custom':
      // A check that phrases its own problem (name template placeholders).
      if (issue.params?.plain) return `${key}: ${issue.message}`;
      return `${key}: expected ${issue.message}, got ${got(issue.input)}`;
    default:
      return `${key}: expected ${issue.message}, got ${got(issue.input)}`;
  }
}
