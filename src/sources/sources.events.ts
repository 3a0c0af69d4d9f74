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
  'refresh:finished': [{ checked: number; changed: number }];
}

export type SourcesEvents = EventEmitter<SourcesEventMap>;

export function createSourcesEvents(): SourcesEvents {
  return new EventEmitter<SourcesEventMap>();
}
