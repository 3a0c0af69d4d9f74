/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */

/**
 * Charts drawn on the server as SVG: nothing runs in the browser. Each chart has a
 * `<title>` and `<desc>` for screen readers and, under it, the same numbers as a table.
 * The SVG scales to its container (viewBox), so it stays readable on a phone.
 */

/** One bar: its label and the value of each series (stacked bottom-up, in series order). */
export interface ChartBar {
  label: string;
  /** A shorter label under the axis; empty to leave it out (only every few bars get one). */
  tick: string;
  values: number[];
}

export interface ChartSpec {
  id: string;
  title: string;
  description: string;
  /** The series' names, in stacking order, e.g. ['synced', 'failed']. */
  series: string[];
  bars: ChartBar[];
  /** How a value reads in the table and on the axis (e.g. "1.2 s"). */
  format?: (value: number) => string;
  /** The label column's heading in the table. */
  labelHeading: string;
}

const WIDTH = 600;
const HEIGHT = 200;
const PAD = { top: 12, right: 8, bottom: 26, left: 44 };

/** A round maximum for the axis: 1, 2 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

const plain = (value: number) => String(value);

export const BarChart = (props: { spec: ChartSpec }) => {
  const { spec } = props;
  const format = spec.format ?? plain;
  const totals = spec.bars.map((bar) => bar.values.reduce((a, b) => a + b, 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, spec.bars.length);
  const barW = Math.max(1, slot * 0.75);
  const y = (value: number) => PAD.top + plotH - (value / max) * plotH;
  const titleId = `${spec.id}-title`;
  const descId = `${spec.id}-desc`;
  return (
    <figure class="chart" id={spec.id}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={titleId}>{spec.title}</title>
        <desc id={descId}>{spec.description}</desc>
        <line class="axis" x1={PAD.left} y1={y(0)} x2={WIDTH - PAD.right} y2={y(0)} />
        <line class="grid-line" x1={PAD.left} y1={y(max)} x2={WIDTH - PAD.right} y2={y(max)} />
        <text class="axis-label" x={PAD.left - 4} y={y(max) + 4} text-anchor="end">
          {format(max)}
        </text>
        <text class="axis-label" x={PAD.left - 4} y={y(0)} text-anchor="end">
          0
        </text>
        {spec.bars.map((bar, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          let base = 0;
          return (
            <g class="bar" data-label={bar.label}>
              {bar.values.map((value, s) => {
                const top = base + value;
                const rect = (
                  <rect
                    class={`series-${s}`}
                    data-series={spec.series[s]}
                    data-value={String(value)}
                    x={x.toFixed(1)}
                    y={y(top).toFixed(1)}
                    width={barW.toFixed(1)}
                    height={(y(base) - y(top)).toFixed(1)}
                  >
                    <title>{`${bar.label}: ${spec.series[s]} ${format(value)}`}</title>
                  </rect>
                );
                base = top;
                return rect;
              })}
              {bar.tick ? (
                <text
                  class="axis-label"
                  x={(x + barW / 2).toFixed(1)}
                  y={HEIGHT - 8}
                  text-anchor="middle"
                >
                  {bar.tick}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        {spec.title}
        {spec.series.length > 1 ? (
          <span class="legend">
            {spec.series.map((name, s) => (
              <span class={`key series-${s}`}>{name}</span>
            ))}
          </span>
        ) : null}
      </figcaption>
      <details>
        <summary>
          The numbers<span class="sr-only"> of {spec.title}</span>
        </summary>
        <div class="table-wrap">
          <table class="chart-table">
            <caption class="sr-only">{spec.title}</caption>
            <thead>
              <tr>
                <th scope="col">{spec.labelHeading}</th>
                {spec.series.map((name) => (
                  <th scope="col">{name}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {spec.bars.map((bar) => (
                <tr>
                  <th scope="row">{bar.label}</th>
                  {bar.values.map((value) => (
                    <td>{format(value)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
};
