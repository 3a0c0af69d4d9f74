import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';

describe('container configuration', () => {
  it('reads the restart, wait and compose settings', () => {
    const config = loadConfig({
      RESTART_DEBOUNCE: '30s',
      RESTART_WAIT: '2m',
      COMPOSE_COMMAND: ' docker  compose ',
      COMPOSE_FILE: '/srv/stack/compose.yml',
      XDG_RUNTIME_DIR: '/run/user/1000/',
      CONTAINER_SOCKET: 'unix:///run/podman/podman.sock',
    });
    expect(config.containers).toMatchObject({
      socket: 'unix:///run/podman/podman.sock',
      debounceMs: 30_000,
      waitMs: 120_000,
      compose: { command: ['docker', 'compose'], file: '/srv/stack/compose.yml' },
      socketCandidates: [
        '/run/user/1000/podman/podman.sock',
        '/run/podman/podman.sock',
        '/var/run/docker.sock',
      ],
    });
  });

  it('names each bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ RESTART_DEBOUNCE: 'soon', RESTART_WAIT: '0s', COMPOSE_FILE: 'x.yml' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/RESTART_DEBOUNCE: "soon" is not a duration/);
    expect(problems).toMatch(/RESTART_WAIT: "0s" is not a duration/);
    expect(problems).toMatch(/COMPOSE_FILE: only used with COMPOSE_COMMAND/);
  });

  it('reads the health wait, rollback and parallel settings, and names bad ones', () => {
    const config = loadConfig({
      RESTART_HEALTH_SAMPLES: '5',
      RESTART_HEALTH_INTERVAL: '250ms',
      RESTART_ROLLBACK: 'off',
      RESTART_PARALLEL: '2',
    });
    expect(config.containers).toMatchObject({
      health: { samples: 5, intervalMs: 250 },
      rollback: false,
      parallel: 2,
    });
    let error: unknown;
    try {
      loadConfig({
        RESTART_HEALTH_SAMPLES: '0',
        RESTART_HEALTH_INTERVAL: 'often',
        RESTART_ROLLBACK: 'maybe',
        RESTART_PARALLEL: '0',
      });
    } catch (thrown) {
      error = thrown;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/RESTART_HEALTH_SAMPLES: must be at least 1/);
    expect(problems).toMatch(/RESTART_HEALTH_INTERVAL: "often" is not a duration/);
    expect(problems).toMatch(/RESTART_ROLLBACK: must be on or off/);
    expect(problems).toMatch(/RESTART_PARALLEL: "0" is not a whole number of at least 1/);
  });
});
