'use strict';
/**
 * pre-receive / post-receive for the OneDev double (docs/reference/onedev.md#push-rules,
 * #default-branch-after-first-push). Mirrors GitPreReceiveCallback / GitPostReceiveCallback: ref
 * updates are walked from the LAST stdin line to the first (OneDev reverses the string it gets from
 * curl), messages use OneDev's `*`-framed layout, and one failing ref makes the hook exit 1 so git
 * rejects the whole push. Configuration comes from ONEDEV_DOUBLE_* variables set by the double (see
 * hooks.ts).
 */
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');

const ZERO = '0000000000000000000000000000000000000000';
const env = process.env;
const mode = process.argv[2];

/** Output.writeLine: all-star lines get a trailing space, empty lines are a single space. */
function writeLine(line) {
  if (line === undefined) line = ' ';
  else if (/^\*+$/.test(line)) line += ' ';
  process.stdout.write(`${line}\n`);
}

function error(refName, messages) {
  writeLine();
  writeLine('*******************************************************');
  writeLine('*');
  writeLine(`*  ERROR PUSHING REF: ${refName}`);
  writeLine('-------------------------------------------------------');
  for (const message of messages) writeLine(`*  ${message}`);
  writeLine('*');
  writeLine('*******************************************************');
  writeLine();
}

function git(args) {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function gitOk(args) {
  try {
    git(args);
    return true;
  } catch {
    return false;
  }
}

/** One wildcard pattern: `**` spans segments, `*` and `?` stay inside one. */
function globRegex(pattern) {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** OneDev PatternSet: space-separated patterns, `-pattern` excludes. */
function matchesPatternSet(patterns, name) {
  const parts = String(patterns || '')
    .split(/\s+/)
    .filter(Boolean);
  const excluded = parts
    .filter((p) => p.startsWith('-'))
    .some((p) => globRegex(p.slice(1)).test(name));
  return !excluded && parts.filter((p) => !p.startsWith('-')).some((p) => globRegex(p).test(name));
}

/** One user-match criteria (`anyone`, `user(x)`, `group(x)`) against the pusher's login. */
function criteriaMatches(criteria, user) {
  if (criteria === 'anyone') return true;
  const m = /^user\(((?:\\.|[^\\()])+)\)$/.exec(criteria);
  // The double has no groups, so `group(x)` matches nobody.
  return !!m && m[1].replace(/\\(.)/g, '$1') === user;
}

/** UserMatch#matches: an except criteria that matches wins, then any criteria that matches. */
function userMatches(userMatch, user) {
  if (!user) return false;
  const [main = '', exceptPart] = String(userMatch || 'anyone')
    .trim()
    .split(/ +except +/);
  if (exceptPart?.split(/ +and +/).some((c) => criteriaMatches(c, user))) return false;
  return main.split(/ +or +/).some((c) => criteriaMatches(c, user));
}

/**
 * Project#getBranchProtection / getTagProtection: the FIRST enabled rule of the hierarchy (the
 * project's own rules, then its parent's, ...) whose user match and patterns match decides; no
 * match allows everything.
 */
function protection(rules, field, name, user) {
  for (const rule of rules) {
    if (rule.enabled === false || !userMatches(rule.userMatch, user)) continue;
    if (matchesPatternSet(rule[field], name)) return rule;
  }
  return {};
}

/** BranchProtection#isReviewRequiredForPush: any required user or group. */
function reviewRequired(rule) {
  return /\b(user|group)\(/.test(String(rule.reviewRequirement || ''));
}

function readUpdates() {
  return readFileSync(0, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [oldId, newId, ref] = line.trim().split(' ');
      return { oldId, newId, ref };
    })
    .reverse();
}

function branchErrors(update, rules, user) {
  const branch = update.ref.slice('refs/heads/'.length);
  const p = protection(rules, 'branches', branch, user);
  if (update.oldId === ZERO) {
    return p.preventCreation
      ? ['Cannot create this branch according to branch protection setting']
      : [];
  }
  if (update.newId === ZERO) {
    return p.preventDeletion
      ? ['Cannot delete this branch according to branch protection setting']
      : [];
  }
  if (p.preventForcedPush && !gitOk(['merge-base', '--is-ancestor', update.oldId, update.newId])) {
    return ['Cannot force-push to this branch according to branch protection setting'];
  }
  if (reviewRequired(p))
    return ['Review required for your change. Please submit pull request instead'];
  return [];
}

function tagErrors(update, rules, user) {
  const tag = update.ref.slice('refs/tags/'.length);
  const p = protection(rules, 'tags', tag, user);
  if (update.oldId === ZERO) {
    return p.preventCreation ? ['Cannot create this tag according to tag protection setting'] : [];
  }
  if (update.newId === ZERO) {
    return p.preventDeletion ? ['Cannot delete this tag according to tag protection setting'] : [];
  }
  return p.preventUpdate ? ['Cannot update this tag according to tag protection setting'] : [];
}

function preReceive() {
  const canManage = env.ONEDEV_DOUBLE_CAN_MANAGE === '1';
  const branchRules = JSON.parse(env.ONEDEV_DOUBLE_BRANCH_PROTECTIONS || '[]');
  const tagRules = JSON.parse(env.ONEDEV_DOUBLE_TAG_PROTECTIONS || '[]');
  const user = env.ONEDEV_DOUBLE_USER || '';
  const refused = JSON.parse(env.ONEDEV_DOUBLE_REFUSED_PREFIXES || '[]');
  let failed = false;
  for (const update of readUpdates()) {
    let messages = [];
    if (refused.some((prefix) => update.ref.startsWith(prefix))) {
      // Not OneDev: the test switch for an extra server-side hook (refuseRefsUnder).
      messages = ['Refs in this namespace are not accepted by this server'];
    } else if (update.ref.startsWith('refs/pulls/') || update.ref.startsWith('refs/updates/')) {
      if (!canManage) {
        error(update.ref, ['Only project managers can update onedev refs.']);
        failed = true;
        break; // OneDev stops at the first rejected onedev ref
      }
    } else if (update.ref.startsWith('refs/heads/')) {
      messages = branchErrors(update, branchRules, user);
    } else if (update.ref.startsWith('refs/tags/')) {
      messages = tagErrors(update, tagRules, user);
    }
    // Every other ref (refs/pull/*, refs/notes/*, refs/starbridge/*, …) is not checked at all
    // (docs/reference/onedev.md#other-refs).
    if (messages.length > 0) {
      error(update.ref, messages);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}

/** GitUtils#getDefaultBranch: HEAD must point at an existing branch. */
function defaultBranch() {
  let head;
  try {
    head = git(['symbolic-ref', '--quiet', 'HEAD']).trim();
  } catch {
    return null;
  }
  if (!head.startsWith('refs/heads/')) return null;
  return gitOk(['show-ref', '--verify', '--quiet', head]) ? head.slice('refs/heads/'.length) : null;
}

function postReceive() {
  const id = env.ONEDEV_DOUBLE_PROJECT_ID;
  for (const update of readUpdates()) {
    if (!update.ref.startsWith('refs/heads/')) continue;
    const branch = update.ref.slice('refs/heads/'.length);
    const current = defaultBranch();
    if (current === null) git(['symbolic-ref', 'HEAD', update.ref]);
    else if (branch !== current) {
      writeLine();
      writeLine(`Create a pull request for '${branch}' by visiting:`);
      writeLine(
        `    ${env.ONEDEV_DOUBLE_PROJECT_URL}/~pulls/new?target=${id}:${current}&source=${id}:${branch}`,
      );
      writeLine();
    }
  }
}

if (mode === 'pre-receive') preReceive();
else if (mode === 'post-receive') postReceive();
