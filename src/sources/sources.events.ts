import { EventEmitter } from 'node:events';

/**
 * What the GitHub sources tell the rest of the service. `alert` is for problems an
 * operator must fix (a rejected token, one about to expire); `notice` for actions taken
 * on their behalf (a OneDev project deleted after an unstar). A notifier hooks both.
 */
export interface SourcesEventMap {
  alert: [{ kind: string; message: string }];
  notice: [{ kind: string; message: string; githubId?: number; fullName?: string }];
  'poll:finished': [{ kind: 'quick' | 'full' | 'installations'; result: string }];
  /** `admitted`: slots taken this tick; `deferred`: due, but the sync worker had no room. */
  'refresh:finished': [{ checked: number; changed: number; admitted?: number; deferred?: number }];
  /** A mirror's next refresh interval, after a check or a sync. */
  'refresh:scheduled': [{ githubId: number; everyMs: number; outcome: string }];
}

export type SourcesEvents = EventEmitter<SourcesEventMap>;

export function createSourcesEvents(): SourcesEvents {
  return new EventEmitter<SourcesEventMap>();
}
