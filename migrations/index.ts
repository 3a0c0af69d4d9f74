// The ordered list of migrations. A static record (not a folder scan) survives bundling,
// and two migrations added in parallel collide here, in review, rather than at run time.
import type { Migration } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-github-sources.js';
import * as m0003 from './0003-dashboard-sessions.js';
import * as m0004 from './0004-container-actions.js';
import * as m0005 from './0005-sync-phase.js';
import * as m0006 from './0006-sync-quick-retries.js';
import * as m0008 from './0008-sync-drift.js';
import * as m0009 from './0009-restart-health.js';
import * as m0010 from './0010-sync-lfs.js';
import * as m0011 from './0011-history-gone-wikis.js';
import * as m0012 from './0012-ssh-keys.js';
import * as m0013 from './0013-mirror-control.js';
import * as m0014 from './0014-change-hints.js';
import * as m0015 from './0015-refresh-schedule.js';
import * as m0016 from './0016-star-lists.js';
import * as m0017 from './0017-replicas.js';
import * as m0018 from './0018-sync-bytes.js';
import * as m0019 from './0019-notifications.js';
import * as m0020 from './0020-lfs-option.js';

export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-github-sources': m0002,
  '0003-dashboard-sessions': m0003,
  '0004-container-actions': m0004,
  '0005-sync-phase': m0005,
  '0006-sync-quick-retries': m0006,
  '0008-sync-drift': m0008,
  '0009-restart-health': m0009,
  '0010-sync-lfs': m0010,
  '0011-history-gone-wikis': m0011,
  '0012-ssh-keys': m0012,
  '0013-mirror-control': m0013,
  '0014-change-hints': m0014,
  '0015-refresh-schedule': m0015,
  '0016-star-lists': m0016,
  '0017-replicas': m0017,
  '0018-sync-bytes': m0018,
  '0019-notifications': m0019,
  '0020-lfs-option': m0020,
};
