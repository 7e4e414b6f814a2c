// GitHub Actions expressions (an if:, a ${{ }} in an input), parsed and evaluated against a given run, so a
// rule asks what a condition does on a pull request or after a failed check, not which text it contains.
// The subset the workflows use: literals, property paths, ! && || == != < > <= >=, and the functions below.

export type Context = Record<string, unknown>;
/** How the jobs a job needs ended, which the status functions report ('skipped': one did not run). */
export type Status = 'success' | 'failure' | 'cancelled' | 'skipped';

interface Token {
  kind: 'string' | 'number' | 'name' | 'op';
  text: string;
}

const TOKEN = /\s*(?:'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)\b|([A-Za-z_][\w-]*)|(==|!=|<=|>=|&&|\|\||[!<>()[\].,*]))/y;
const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.trimEnd().length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (match === null) throw new Error(`cannot read the expression at "${text.slice(at)}"`);
    const [, string, number, name, op] = match;
    if (string !== undefined) tokens.push({ kind: 'string', text: string.replaceAll("''", "'") });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (name !== undefined) tokens.push({ kind: 'name', text: name });
    else tokens.push({ kind: 'op', text: op ?? '' });
  }
  return tokens;
}

const truthy = (value: unknown) =>
  value !== false && value !== 0 && value !== '' && value !== null && value !== undefined;
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? null)).toLowerCase();

function equal(left: unknown, right: unknown): boolean {
  if (typeof left === 'string' && typeof right === 'string') return left.toLowerCase() === right.toLowerCase();
  return left === right || (left ?? null) === (right ?? null);
}

const FUNCTIONS: Record<string, (status: Status, args: unknown[]) => unknown> = {
  success: (status) => status === 'success',
  failure: (status) => status === 'failure',
  cancelled: (status) => status === 'cancelled',
  always: () => true,
  startsWith: (_, [a, b]) => text(a).startsWith(text(b)),
  endsWith: (_, [a, b]) => text(a).endsWith(text(b)),
  contains: (_, [a, b]) => (Array.isArray(a) ? a.some((item) => equal(item, b)) : text(a).includes(text(b))),
};

/** Evaluates one expression (without ${{ }}) in a context, the needed jobs having ended with `status`. */
function evaluate(expression: string, context: Context, status: Status = 'success'): unknown {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = () => tokens[position];
  const take = (op?: string) => {
    const token = tokens[position];
    if (token === undefined || (op !== undefined && token.text !== op))
      throw new Error(`expected ${op ?? 'more'} in "${expression}"`);
    position += 1;
    return token;
  };
  const isOp = (...ops: string[]) => peek()?.kind === 'op' && ops.includes(peek()?.text ?? '');

  const primary = (): unknown => {
    const token = take();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'op' && token.text === '(') {
      const value = or();
      take(')');
      return value;
    }
    if (token.kind !== 'name') throw new Error(`unexpected ${token.text} in "${expression}"`);
    if (token.text === 'true' || token.text === 'false') return token.text === 'true';
    if (token.text === 'null') return null;
    if (isOp('(')) {
      take('(');
      const args: unknown[] = [];
      while (!isOp(')')) {
        args.push(or());
        if (isOp(',')) take(',');
      }
      take(')');
      const fn = Object.entries(FUNCTIONS).find(([name]) => name.toLowerCase() === token.text.toLowerCase())?.[1];
      if (fn === undefined) throw new Error(`unknown function ${token.text} in "${expression}"`);
      return fn(status, args);
    }
    return context[token.text];
  };
  const member = (): unknown => {
    let value = primary();
    for (;;) {
      if (isOp('.')) {
        take('.');
        value = (value as Record<string, unknown> | undefined)?.[take().text];
      } else if (isOp('[')) {
        take('[');
        const key = or();
        take(']');
        value = (value as Record<string, unknown> | undefined)?.[String(key)];
      } else return value;
    }
  };
  const unary = (): unknown => (isOp('!') ? (take('!'), !truthy(unary())) : member());
  const comparison = (): unknown => {
    let left = unary();
    while (isOp('==', '!=', '<', '>', '<=', '>=')) {
      const op = take().text;
      const right = unary();
      if (op === '==' || op === '!=') left = equal(left, right) === (op === '==');
      else {
        const [a, b] = [Number(left), Number(right)];
        left = op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
      }
    }
    return left;
  };
  const and = (): unknown => {
    let left = comparison();
    while (isOp('&&')) {
      take('&&');
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  function or(): unknown {
    let left = and();
    while (isOp('||')) {
      take('||');
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  }

  const value = or();
  if (position !== tokens.length) throw new Error(`unexpected ${peek()?.text ?? ''} in "${expression}"`);
  return value;
}

/** A YAML scalar as text; a mapping or a list is no value here. */
export const scalar = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';

const unwrap = (condition: string) => /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(condition)?.[1] ?? condition;

/**
 * Whether a job or step with this if: runs: GitHub adds `success() &&` to a condition that calls no status
 * function, and an absent one is `success()`.
 */
export function runs(condition: unknown, context: Context, status: Status): boolean {
  const expression = condition === undefined ? 'success()' : unwrap(scalar(condition));
  const callsStatus = tokenize(expression).some(
    (token, index, all) =>
      token.kind === 'name' && STATUS_FUNCTIONS.includes(token.text.toLowerCase()) && all[index + 1]?.text === '(',
  );
  const value = evaluate(expression, context, status);
  return callsStatus ? truthy(value) : status === 'success' && truthy(value);
}

/** A string with ${{ }} expressions in it, as GitHub passes it to a step. */
export function interpolate(template: unknown, context: Context): string {
  return scalar(template).replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => {
    const value = evaluate(expression, context);
    return typeof value === 'string' ? value : JSON.stringify(value ?? '');
  });
}
