/**
 * Parser for the subset of OneDev's project query language the double supports
 * (docs/reference/onedev.md#project-query, grammar `ProjectQuery.g4`). A syntax error is a
 * ParseCancellationException in OneDev → 406 `Invalid query`
 * (docs/reference/onedev.md#error-statuses); semantic errors are raised later by the evaluator as
 * 500s.
 */

export type Criteria =
  | { type: 'and' | 'or'; left: Criteria; right: Criteria }
  | { type: 'not'; inner: Criteria }
  | { type: 'field'; field: string; op: string; values: string[] }
  | { type: 'operator'; op: string }
  | { type: 'operatorValue'; op: string; values: string[] }
  | { type: 'fuzzy'; text: string }
  | { type: 'number'; id: number };

export interface ProjectQuery {
  criteria?: Criteria;
  orders: Array<{ field: string; direction: 'asc' | 'desc' }>;
}

export class QuerySyntaxError extends Error {}

type Token =
  | { kind: 'quoted'; text: string }
  | { kind: 'word'; text: string }
  | { kind: 'punct'; text: '(' | ')' | ',' }
  | { kind: 'fuzzy'; text: string }
  | { kind: 'number'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === '"') {
      let text = '';
      for (i++; input[i] !== '"'; i++) {
        if (i >= input.length) throw new QuerySyntaxError('unterminated quote');
        if (input[i] === '\\' && i + 1 < input.length) i++;
        text += input[i];
      }
      tokens.push({ kind: 'quoted', text });
      i++;
    } else if (c === '~') {
      const end = input.indexOf('~', i + 1);
      if (end < 0) throw new QuerySyntaxError('unterminated fuzzy');
      tokens.push({ kind: 'fuzzy', text: input.slice(i + 1, end) });
      i = end + 1;
    } else {
      const match = /^(#\d+|[A-Za-z]+)/.exec(input.slice(i));
      if (!match) throw new QuerySyntaxError(`unexpected ${c}`);
      const text = match[1] as string;
      tokens.push(
        text.startsWith('#')
          ? { kind: 'number', text: text.slice(1) }
          : { kind: 'word', text: text.toLowerCase() },
      );
      i += text.length;
    }
  }
  return tokens;
}

/** Operators, longest first so that `is not` wins over `is`. */
const FIELD_OPERATORS = [
  'is greater than',
  'is less than',
  'is since',
  'is until',
  'is not',
  'is',
  'contains',
];
const VALUE_OPERATORS = ['children of', 'forks of', 'owned by'];
const PLAIN_OPERATORS = ['owned by me', 'owned by none', 'fork roots', 'roots', 'leafs'];

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): ProjectQuery {
    const query: ProjectQuery = { orders: [] };
    if (!this.atEnd() && !this.peekWords('order by')) query.criteria = this.or();
    if (this.takeWords('order by')) {
      do query.orders.push(this.order());
      while (this.takePunct(',') || this.takeWords('and'));
    }
    if (!this.atEnd()) throw new QuerySyntaxError('trailing input');
    return query;
  }

  private or(): Criteria {
    let left = this.and();
    while (this.takeWords('or')) left = { type: 'or', left, right: this.and() };
    return left;
  }

  private and(): Criteria {
    let left = this.unary();
    while (this.takeWords('and')) left = { type: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): Criteria {
    const token = this.tokens[this.pos];
    if (this.takeWords('not')) {
      if (!this.takePunct('(')) throw new QuerySyntaxError('not without (');
      return { type: 'not', inner: this.closeParen(this.or()) };
    }
    if (this.takePunct('(')) return this.closeParen(this.or());
    if (token?.kind === 'quoted') {
      this.pos++;
      const op = FIELD_OPERATORS.find((o) => this.takeWords(o));
      if (!op) throw new QuerySyntaxError('missing operator');
      return { type: 'field', field: token.text, op, values: this.values() };
    }
    if (token?.kind === 'fuzzy' || token?.kind === 'number') {
      this.pos++;
      return token.kind === 'fuzzy'
        ? { type: 'fuzzy', text: token.text }
        : { type: 'number', id: Number(token.text) };
    }
    const plain = PLAIN_OPERATORS.find((o) => this.takeWords(o));
    if (plain) return { type: 'operator', op: plain };
    const valued = VALUE_OPERATORS.find((o) => this.takeWords(o));
    if (valued) return { type: 'operatorValue', op: valued, values: this.values() };
    throw new QuerySyntaxError('unexpected token');
  }

  private values(): string[] {
    const values = [this.quoted()];
    while (this.takePunct(',')) values.push(this.quoted());
    return values;
  }

  private order(): { field: string; direction: 'asc' | 'desc' } {
    const field = this.quoted();
    if (this.takeWords('desc')) return { field, direction: 'desc' };
    this.takeWords('asc');
    return { field, direction: 'asc' };
  }

  private quoted(): string {
    const token = this.tokens[this.pos];
    if (token?.kind !== 'quoted') throw new QuerySyntaxError('expected quoted value');
    this.pos++;
    return token.text;
  }

  private closeParen(inner: Criteria): Criteria {
    if (!this.takePunct(')')) throw new QuerySyntaxError('missing )');
    return inner;
  }

  private atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  private takePunct(text: string): boolean {
    const token = this.tokens[this.pos];
    if (token?.kind !== 'punct' || token.text !== text) return false;
    this.pos++;
    return true;
  }

  private peekWords(phrase: string): boolean {
    return phrase.split(' ').every((word, k) => {
      const token = this.tokens[this.pos + k];
      return token?.kind === 'word' && token.text === word;
    });
  }

  private takeWords(phrase: string): boolean {
    if (!this.peekWords(phrase)) return false;
    this.pos += phrase.split(' ').length;
    return true;
  }
}

/** Parses a query; blank or absent means "all projects". */
export function parseProjectQuery(query: string | undefined): ProjectQuery {
  if (query === undefined || query.trim() === '') return { orders: [] };
  return new Parser(tokenize(query)).parse();
}
