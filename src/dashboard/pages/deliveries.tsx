/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Layout } from './layout.js';
import { Badge, Empty, Live, Pager, When } from './ui.js';

export interface DeliveryView {
  id: string;
  deliveryId: string;
  event: string;
  action: string | null;
  repository: string | null;
  outcome: string;
  detail: string | null;
  receivedAt: string;
}

export interface DeliveriesData {
  now: Date;
  csrf: string;
  flash?: string | null;
  deliveries: DeliveryView[];
  total: number;
  page: number;
  pages: number;
}

/** The webhook log: what GitHub sent and what became of it. */
export const DeliveriesPage = (props: DeliveriesData) => (
  <Layout title="Deliveries" section="deliveries" csrf={props.csrf} flash={props.flash}>
    <Live
      id="live-deliveries"
      src={`/dashboard/deliveries${props.page > 1 ? `?page=${props.page}` : ''}`}
      label="Webhook deliveries"
    >
      <p class="muted">{props.total} deliveries received</p>
      {props.deliveries.length === 0 ? (
        <Empty>
          No webhook has arrived yet. Settings shows the URL and events to enter on GitHub.
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="stack-on-phone">
            <caption class="sr-only">Webhook deliveries, newest first</caption>
            <thead>
              <tr>
                {['Received', 'Event', 'Repository', 'Outcome', 'Detail', 'Delivery id'].map(
                  (h) => (
                    <th scope="col">{h}</th>
                  ),
                )}
              </tr>
            </thead>
            <tbody>
              {props.deliveries.map((d) => (
                <tr id={`delivery-${d.id}`}>
                  <td data-label="Received">
                    <When at={d.receivedAt} now={props.now} />
                  </td>
                  <td data-label="Event">
                    {d.event}
                    {d.action ? `.${d.action}` : ''}
                  </td>
                  <td data-label="Repository">{d.repository ?? '—'}</td>
                  <td data-label="Outcome">
                    <Badge status={d.outcome} />
                  </td>
                  <td data-label="Detail" class="small">
                    {d.detail ?? ''}
                  </td>
                  <td data-label="Delivery id">
                    <code class="small">{d.deliveryId}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager base="/dashboard/deliveries" page={props.page} pages={props.pages} />
    </Live>
  </Layout>
);
