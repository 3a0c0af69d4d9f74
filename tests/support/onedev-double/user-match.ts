/**
 * OneDev's user match (`usermatch/UserMatch.g4`, docs/reference/onedev.md#protection-rules):
 * `criteria (or criteria)* (except criteria (and criteria)*)?`, a criteria being `anyone`,
 * `user(<login>)` or `group(<name>)`, values escaped with `\`. Parsing looks every user up, so an
 * unknown login fails validation. The double has no groups.
 */

export class UserMatchError extends Error {}

export interface ParsedUserMatch {
  criteria: string[];
  except: string[];
}

const CRITERIA = /^(?:anyone|(user|group)\(((?:\\.|[^\\()])+)\))$/;

function criteria(text: string, users: Set<string>): string {
  const m = CRITERIA.exec(text);
  if (!m) throw new UserMatchError('Malformed user match');
  if (!m[1]) return 'anyone';
  const name = (m[2] ?? '').replace(/\\(.)/g, '$1');
  if (m[1] === 'group') throw new UserMatchError(`Unable to find group: ${name}`);
  if (!users.has(name)) throw new UserMatchError(`Unable to find user with login: ${name}`);
  return `user:${name}`;
}

export function parseUserMatch(text: string, users: Set<string>): ParsedUserMatch {
  const [main = '', exceptPart] = text.trim().split(/ +except +/);
  const criteriaList = main.split(/ +or +/).map((c) => criteria(c, users));
  const except = exceptPart === undefined ? [] : exceptPart.split(/ +and +/);
  return { criteria: criteriaList, except: except.map((c) => criteria(c, users)) };
}
