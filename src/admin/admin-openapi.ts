import { z } from 'zod';
import { operations } from './admin.operations.js';
import { models } from './admin.schemas.js';
import type { Operation, ResponseSpec } from './operation.js';

type Json = Record<string, unknown>;

const REF = (id: string) => `#/components/schemas/${id}`;

/** Answers every authenticated operation can give, besides its own. */
const AUTH_ERRORS: Record<number, ResponseSpec> = {
  401: { description: 'missing or wrong bearer token, or a token in the query string' },
  503: { description: 'the admin API is off: ADMIN_TOKEN is not set' },
};

/**
 * The OpenAPI 3.1 document of the admin API, generated from the same zod schemas the
 * routes validate with (zod 4's `toJSONSchema`, JSON Schema 2020-12 as OpenAPI 3.1 uses).
 */
export function buildOpenApiDocument(version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const operation of Object.values(operations) as Operation[]) {
    paths[operation.path] ??= {};
    (paths[operation.path] as Record<string, Json>)[operation.method] = operationObject(operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Starbridge admin API',
      version,
      description:
        'Mirrors of GitHub repositories in OneDev: list, add, sync, retry, delete; run ledger; webhook deliveries. Authenticate with `Authorization: Bearer <ADMIN_TOKEN>`.',
    },
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'the ADMIN_TOKEN value' },
      },
      schemas: componentSchemas(),
    },
  };
}

function componentSchemas(): Json {
  const generated = z.toJSONSchema(models, { target: 'draft-2020-12', uri: REF, io: 'output' }) as {
    schemas: Record<string, Json>;
  };
  const schemas: Json = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema;
    schemas[id] = rest;
  }
  return schemas;
}

function operationObject(operation: Operation): Json {
  const parameters = [
    ...parametersOf(operation.params, 'path'),
    ...parametersOf(operation.query, 'query'),
  ];
  const responses: Json = {};
  const all: Record<number, ResponseSpec> = { ...operation.responses };
  if (parameters.length > 0 || operation.body)
    all[400] = { description: 'invalid parameters or body' };
  if (operation.auth !== false) Object.assign(all, AUTH_ERRORS);
  for (const [status, spec] of Object.entries(all)) {
    responses[status] = responseObject(Number(status), spec);
  }
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    ...(operation.auth === false ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaRef(operation.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

function responseObject(status: number, spec: ResponseSpec): Json {
  const schema = spec.schema
    ? schemaRef(spec.schema, 'output')
    : status >= 400
      ? { $ref: REF('Error') }
      : undefined;
  return {
    description: spec.description,
    ...(schema ? { content: { 'application/json': { schema } } } : {}),
  };
}

/** A `$ref` for a registered model, or the schema inlined. */
function schemaRef(schema: z.ZodType, io: 'input' | 'output'): Json {
  const id = models.get(schema)?.id;
  if (id) return { $ref: REF(id) };
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as Json;
  return rest;
}

function parametersOf(schema: z.ZodObject | undefined, location: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
}
