/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { HistoryEntry } from '../../history/history.service.js';
import { Empty, When } from './ui.js';

const WHY: Record<HistoryEntry['reason'], string> = {
  'force-push': 'force-pushed',
  deleted: 'deleted',
  'tag-moved': 'tag moved',
};

/** Tips the source overwrote or deleted, each with the command that gets it back. */
export const KeptHistory = (props: { history: HistoryEntry[]; keep: string; now: Date }) => (
  <section class="card" id="history">
    <h2>Kept history</h2>
    <p class="muted small">
      Tips of branches and tags that GitHub overwrote or deleted, kept for {props.keep}.
    </p>
    {props.history.length === 0 ? (
      <Empty>Nothing overwritten or deleted so far.</Empty>
    ) : (
      <div class="table-wrap">
        <table class="stack-on-phone">
          <caption class="sr-only">Kept tips, newest first</caption>
          <thead>
            <tr>
              {['When', 'Ref', 'Why', 'Old tip', 'Get it back'].map((h) => (
                <th scope="col">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.history.map((entry) => (
              <tr>
                <td data-label="When">
                  <When at={entry.takenAt} now={props.now} />
                </td>
                <td data-label="Ref">
                  <code>{entry.ref}</code>
                </td>
                <td data-label="Why">{WHY[entry.reason]}</td>
                <td data-label="Old tip">
                  <code title={entry.oldSha}>{entry.oldSha.slice(0, 12)}</code>
                </td>
                <td data-label="Get it back">
                  <code class="copy">{entry.fetchCommand}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </section>
);
