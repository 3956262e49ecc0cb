/**
 * `upload.nameTemplate`: the title an activity gets on the site. The placeholders are
 * defined here once, for the schema (which refuses any other) and for every title made.
 */
import { nearest } from './nearest.js';

export const NAME_TEMPLATE_PLACEHOLDERS = ['sport', 'date', 'time', 'file', 'device'] as const;
export type NameTemplatePlaceholder = (typeof NAME_TEMPLATE_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{(\w*)\}/g;

/** What is wrong with a template's placeholders, one phrase each (empty when nothing is). */
export function templateProblems(template: string): string[] {
  const known: readonly string[] = NAME_TEMPLATE_PLACEHOLDERS;
  const problems: string[] = [];
  for (const [, name = ''] of template.matchAll(PLACEHOLDER)) {
    if (known.includes(name)) continue;
    const guess = nearest(name, known);
    problems.push(`unknown placeholder {${name}}${guess ? ` (did you mean {${guess}}?)` : ''}`);
  }
  return problems;
}

export interface TitleFacts {
  readonly sport: string;
  /** Local date and time of the activity's start. */
  readonly start: Date;
  readonly file: string;
  readonly device: string;
}

/** The template filled in: `{sport} {date}` → `Running 2026-05-01`. */
export function fillNameTemplate(template: string, facts: TitleFacts): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const { start } = facts;
  const values: Record<NameTemplatePlaceholder, string> = {
    sport: facts.sport.charAt(0).toUpperCase() + facts.sport.slice(1),
    date: `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}`,
    time: `${pad(start.getHours())}:${pad(start.getMinutes())}`,
    file: facts.file,
    device: facts.device,
  };
  return template
    .replace(PLACEHOLDER, (whole, key: string) => (key in values ? values[key as NameTemplatePlaceholder] : whole))
    .replace(/\s+/g, ' ')
    .trim();
}
