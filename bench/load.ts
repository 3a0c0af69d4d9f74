import { Agent, request } from 'node:http';

/** A request built before timing starts: nothing is serialized or signed while measuring. */
export interface PreparedRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface LoadResult {
  sent: number;
  elapsedMs: number;
  /** Requests per second over the whole run. */
  throughput: number;
  /** Per-request latency in ms, in completion order. */
  latencies: Float64Array;
  /** Status code → count; 0 counts transport errors. */
  statuses: Map<number, number>;
  /** Non-2xx answers plus transport errors. */
  errors: number;
  /** First few error descriptions. */
  errorSamples: string[];
}

/**
 * A closed-loop load generator: `connections` keep-alive sockets, each sending the next
 * request as soon as its previous answer has been read in full. Latency is measured from
 * `request()` to the end of the response body.
 */
export class LoadGenerator {
  readonly agent: Agent;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly connections: number,
  ) {
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: connections,
      maxFreeSockets: connections,
    });
  }

  async run(requests: readonly PreparedRequest[]): Promise<LoadResult> {
    const latencies = new Float64Array(requests.length);
    const statuses = new Map<number, number>();
    const errorSamples: string[] = [];
    let errors = 0;
    let next = 0;
    let done = 0;
    const count = (status: number, detail?: string) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status < 200 || status > 299) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(detail ?? `HTTP ${status}`);
      }
    };
    const lane = async () => {
      while (next < requests.length) {
        const index = next++;
        const started = performance.now();
        const outcome = await this.send(requests[index]!);
        latencies[done++] = performance.now() - started;
        count(outcome.status, outcome.detail);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: this.connections }, lane));
    const elapsedMs = performance.now() - started;
    return {
      sent: requests.length,
      elapsedMs,
      throughput: (requests.length / elapsedMs) * 1000,
      latencies,
      statuses,
      errors,
      errorSamples,
    };
  }

  private send(prepared: PreparedRequest): Promise<{ status: number; detail?: string }> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method: 'POST',
          path: prepared.path,
          headers: prepared.headers,
          agent: this.agent,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            if (status >= 300) chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status,
              detail:
                status >= 300
                  ? `HTTP ${status}: ${Buffer.concat(chunks).toString().slice(0, 200)}`
                  : undefined,
            }),
          );
          res.on('error', (error) => resolve({ status: 0, detail: String(error) }));
        },
      );
      req.on('error', (error) => resolve({ status: 0, detail: String(error) }));
      req.end(prepared.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
