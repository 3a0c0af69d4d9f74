import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * LFS objects on disk in git-lfs's own layout (`<dir>/lfs/objects/aa/bb/<oid>`), shared by the
 * GitHub and OneDev doubles, plus the batch API wire format both speak
 * (docs/reference/onedev.md#lfs): `application/vnd.git-lfs+json`, one entry per requested object
 * with either `actions` or an `error`.
 */

export const LFS_MEDIA_TYPE = 'application/vnd.git-lfs+json';
const OID = /^[0-9a-f]{64}$/;

export interface LfsObjectRef {
  oid: string;
  size: number;
}

/** The pointer file git-lfs commits in place of the content (spec v1). */
export function lfsPointer(content: Buffer | string): { pointer: string } & LfsObjectRef {
  const data = Buffer.from(content);
  const oid = createHash('sha256').update(data).digest('hex');
  const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${data.length}\n`;
  return { pointer, oid, size: data.length };
}

export class LfsStore {
  constructor(private readonly root: string) {}

  path(oid: string): string {
    if (!OID.test(oid)) throw new Error(`not an LFS object id: ${oid}`);
    return join(this.root, 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4), oid);
  }

  async has(oid: string): Promise<boolean> {
    if (!OID.test(oid)) return false;
    return stat(this.path(oid)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  /** Stores content directly (test setup); returns its pointer. */
  async put(content: Buffer | string): Promise<{ pointer: string } & LfsObjectRef> {
    const made = lfsPointer(content);
    await mkdir(join(this.path(made.oid), '..'), { recursive: true });
    await writeFile(this.path(made.oid), Buffer.from(content));
    return made;
  }

  async remove(oid: string): Promise<void> {
    await rm(this.path(oid), { force: true });
  }

  /** Every stored object id. */
  async oids(): Promise<string[]> {
    const base = join(this.root, 'lfs', 'objects');
    const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => e.isFile() && OID.test(e.name))
      .map((e) => e.name)
      .sort();
  }

  /**
   * Streams a request body into the store, keeping it only if its sha256 is the object id, as
   * OneDev's upload does (docs/reference/onedev.md#lfs). Returns false on a mismatch.
   */
  async receive(oid: string, body: IncomingMessage): Promise<boolean> {
    const final = this.path(oid);
    await mkdir(join(final, '..'), { recursive: true });
    const temp = `${final}.tmp-${randomBytes(4).toString('hex')}`;
    const hash = createHash('sha256');
    body.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(body, createWriteStream(temp));
    if (hash.digest('hex') !== oid) {
      await rm(temp, { force: true });
      return false;
    }
    await rename(temp, final);
    return true;
  }

  async send(oid: string, res: ServerResponse): Promise<void> {
    const size = (await stat(this.path(oid))).size;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
    await pipeline(createReadStream(this.path(oid)), res);
  }
}

export interface BatchRequest {
  operation: 'upload' | 'download';
  transfers?: string[];
  hash_algo?: string;
  objects: LfsObjectRef[];
}

/** Reads and checks a batch request body; undefined when it is not one. */
export async function readBatch(req: IncomingMessage): Promise<BatchRequest | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as BatchRequest;
    if (body.operation !== 'upload' && body.operation !== 'download') return undefined;
    if (!Array.isArray(body.objects)) return undefined;
    return body;
  } catch {
    return undefined;
  }
}

export function sendLfsJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': LFS_MEDIA_TYPE,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** True when a request speaks the LFS media type (how OneDev's filter recognises batch calls). */
export function speaksLfs(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  const accept = req.headers.accept ?? '';
  return type.startsWith(LFS_MEDIA_TYPE) || accept.startsWith(LFS_MEDIA_TYPE);
}
