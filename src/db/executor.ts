import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema/index.js';

/** Repository functions accept either the database or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;
