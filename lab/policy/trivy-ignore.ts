import { parse } from 'yaml';

// .trivyignore.yaml holds the findings the Trivy gates accept. Trivy needs only an id; this project also
// wants each acceptance explained and reviewed, so every entry carries a reason and a date it ends.

export const TRIVY_IGNORE_FILE = '.trivyignore.yaml';
/** The sections Trivy reads; an entry under any other key would be silently ignored by Trivy. */
const SECTIONS = ['vulnerabilities', 'misconfigurations', 'secrets', 'licenses'];
/** The furthest an expiry may be from today: an acceptance is looked at again at least once a year. */
const LONGEST_ACCEPTANCE_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar date as YYYY-MM-DD, or undefined when the value is not one. */
function isoDate(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? undefined : value;
}

const addDays = (day: string, days: number) =>
  new Date(new Date(`${day}T00:00:00Z`).getTime() + days * DAY_MS).toISOString().slice(0, 10);

function entryProblems(where: string, entry: unknown, today: string): string[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return [`${where} is not a mapping`];
  const { id, statement, expired_at: expiredAt } = entry as Record<string, unknown>;
  const name = typeof id === 'string' && id.trim() !== '' ? `${where} (${id})` : where;
  const problems = name === where ? [`${where} has no id`] : [];
  if (typeof statement !== 'string' || statement.trim() === '') problems.push(`${name} has no statement (its reason)`);
  const expiry = isoDate(expiredAt);
  if (expiredAt === undefined) problems.push(`${name} has no expired_at`);
  else if (expiry === undefined)
    problems.push(
      `${name}: expired_at ${typeof expiredAt === 'string' ? expiredAt : JSON.stringify(expiredAt)} is not a YYYY-MM-DD date`,
    );
  else if (expiry <= today) problems.push(`${name} expired on ${expiry}`);
  else if (expiry > addDays(today, LONGEST_ACCEPTANCE_DAYS))
    problems.push(`${name}: expired_at ${expiry} is more than ${LONGEST_ACCEPTANCE_DAYS} days after ${today}`);
  return problems;
}

/**
 * What is wrong with an ignore file on the given day (YYYY-MM-DD). Trivy stops honouring an entry on its
 * expired_at date, so an entry is expired from that day on.
 */
export function trivyIgnoreProblems(text: string, today: string): string[] {
  const data: unknown = parse(text);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return ['the file is not a mapping'];
  return Object.entries(data as Record<string, unknown>).flatMap(([section, entries]) => {
    if (!SECTIONS.includes(section)) return [`${section} is not a section Trivy reads (${SECTIONS.join(', ')})`];
    if (entries === null) return [];
    if (!Array.isArray(entries)) return [`${section} is not a list`];
    return entries.flatMap((entry, index) => entryProblems(`${section}[${index}]`, entry, today));
  });
}
