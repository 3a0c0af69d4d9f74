import { describe, expect, it } from 'vitest';
import { branchRanges, decidePaths } from '../../../src/containers/path-scope.js';
import { parseRestartLabel, pathMatches } from '../../../src/containers/restart-label.js';
import {
  composeDependencies,
  dependenciesOf,
  mapLimit,
  restartWaves,
} from '../../../src/containers/restart-order.js';
import type { EngineContainer } from '../../../src/engine/engine.port.js';
import type { RefChange } from '../../../src/sync/run.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const change = (ref: string, old: string | null, next: string): RefChange => ({
  ref,
  kind: old ? 'updated' : 'created',
  old,
  new: next,
});

describe('restart label entries scoped to paths', () => {
  it('takes the items after an entry with a colon as its paths', () => {
    expect(parseRestartLabel('acme/site@main:docs/,config/app.yml').follows).toEqual([
      { repo: 'acme/site', branch: 'main', paths: ['docs/', 'config/app.yml'] },
    ]);
  });

  it('entries before the scoped one, after a semicolon, or with their own colon stay entries', () => {
    expect(parseRestartLabel('web, acme/site:src/ ; acme/api, other:lib/,x').follows).toEqual([
      { repo: 'web' },
      { repo: 'acme/site', paths: ['src/'] },
      { repo: 'acme/api' },
      { repo: 'other', paths: ['lib/', 'x'] },
    ]);
  });

  it('`*`, empty and `..` paths add nothing; an entry left with none follows every change', () => {
    expect(parseRestartLabel('acme/site:*, ,../etc').follows).toEqual([{ repo: 'acme/site' }]);
    expect(parseRestartLabel('acme/site:').follows).toEqual([{ repo: 'acme/site' }]);
    expect(parseRestartLabel('acme/site:./src/, /lib').follows).toEqual([
      { repo: 'acme/site', paths: ['src/', 'lib'] },
    ]);
  });

  it('the paths of an invalid entry are not read as entries', () => {
    expect(parseRestartLabel('*:docs/,config/app.yml')).toEqual({
      follows: [],
      invalid: ['*:docs/'],
    });
  });

  it.each([
    [['src/'], 'src/x.ts', true],
    [['src/'], 'src', false],
    [['src/'], 'srcs/x', false],
    [['config/app.yml'], 'config/app.yml', true],
    [['config/app.yml'], 'config/app.yml.bak', false],
    [['guide'], 'guide/index.md', true],
    [['README.md'], 'guide/README.md', false],
  ])('paths %j match %j: %s', (paths, file, expected) => {
    expect(pathMatches(paths, file)).toBe(expected);
  });

  it('decides from the files changed on its branch, one range per branch of a merged batch', async () => {
    const asked: string[] = [];
    const diff = async (from: string, to: string) => {
      asked.push(`${from[0]}..${to[0]}`);
      return from === A ? ['README.md'] : ['src/x.ts'];
    };
    const entry = { repo: 'acme/site', branch: 'main', paths: ['src/'] };
    const batch = [change('refs/heads/main', A, B), change('refs/heads/main', B, C)];
    expect(branchRanges(batch).get('main')).toEqual({ from: A, to: C });
    expect(await decidePaths(entry, batch, diff)).toMatchObject({ concerned: false });
    expect(asked).toEqual(['a..c']);
    expect(await decidePaths(entry, [change('refs/heads/main', B, C)], diff)).toEqual({
      concerned: true,
      reason: 'src/x.ts changed on main',
    });
    const other = [change('refs/heads/release', B, C)];
    expect(await decidePaths(entry, other, diff)).toMatchObject({ concerned: false });
  });

  it('a new branch or a commit the cache lacks cannot be compared: it restarts', async () => {
    const entry = { repo: 'acme/site', paths: ['src/'] };
    const missing = async () => undefined;
    expect((await decidePaths(entry, [change('refs/heads/x', null, B)], missing)).concerned).toBe(
      true,
    );
    expect((await decidePaths(entry, [change('refs/heads/x', A, B)], missing)).concerned).toBe(
      true,
    );
  });
});

const container = (name: string, labels: Record<string, string> = {}): EngineContainer => ({
  id: `${name}-id`,
  name,
  image: 'img',
  state: 'running',
  labels,
});

const compose = (service: string, dependsOn = '', project = 'stack') => ({
  'com.docker.compose.project': project,
  'com.docker.compose.service': service,
  'com.docker.compose.depends_on': dependsOn,
});

describe('restart order', () => {
  it("reads compose's depends_on label: service:condition:restart entries, or bare names", () => {
    expect(
      composeDependencies({
        'com.docker.compose.depends_on': 'db:service_healthy:false,cache:service_started:true',
      }),
    ).toEqual(['db', 'cache']);
    expect(composeDependencies({ 'com.docker.compose.depends_on': 'db, cache' })).toEqual([
      'db',
      'cache',
    ]);
    expect(composeDependencies({ 'com.docker.compose.depends_on': '' })).toEqual([]);
  });

  it('waves: dependencies first, independent followers together, other projects unrelated', () => {
    const followers = [
      container('web-1', compose('web', 'api:service_healthy:false,db:service_started:false')),
      container('api-1', compose('api')),
      container('worker-1', compose('worker')),
      container('other-web', compose('web', 'api:service_started:false', 'elsewhere')),
    ];
    const waves = restartWaves(dependenciesOf(followers, 'restart-after'));
    expect(waves.map((w) => w.map((f) => f.container.name))).toEqual([
      ['api-1', 'worker-1', 'other-web'],
      ['web-1'],
    ]);
    // db follows no repository: nothing to wait for.
    expect(waves[1]?.[0]?.after).toEqual(['api-1']);
  });

  it('restart-after.order: lower numbers first; no number, no order', () => {
    const followers = [
      container('c', { 'restart-after.order': '2' }),
      container('a', { 'restart-after.order': '1' }),
      container('free'),
      container('b', { 'restart-after.order': '1' }),
    ];
    const waves = restartWaves(dependenciesOf(followers, 'restart-after'));
    expect(waves.map((w) => w.map((f) => f.container.name))).toEqual([['a', 'free', 'b'], ['c']]);
  });

  it('a cycle cannot be ordered: its members restart together last', () => {
    const followers = [
      container('x', compose('x', 'y')),
      container('y', compose('y', 'x')),
      container('z', compose('z')),
    ];
    const waves = restartWaves(dependenciesOf(followers, 'restart-after'));
    expect(waves.map((w) => w.map((f) => f.container.name))).toEqual([['z'], ['x', 'y']]);
  });

  it('mapLimit runs at most `limit` at once and keeps the order of results', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimit([5, 1, 3, 2, 4], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n * 5));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 30, 20, 40]);
    expect(most).toBe(2);
  });
});
