// The response checker itself: it must fail on the departures it exists to catch.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadChecker, toJsonSchema } from '../lib/schema.mjs';

const DOC = {
  openapi: '3.0.3',
  info: { title: 't', version: '1' },
  paths: {
    '/things/{id}': {
      get: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: {
          200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          304: { description: 'not modified' },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object', required: ['id'],
        properties: {
          id: { type: 'integer', format: 'int64' },
          note: { type: 'string', nullable: true },
          score: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1 },
          parent: { type: 'object', allOf: [{ $ref: '#/components/schemas/Leaf' }], nullable: true },
        },
      },
      Leaf: { type: 'object', properties: { name: { type: 'string' } } },
    },
  },
};

async function checker() {
  const dir = mkdtempSync(join(tmpdir(), 'apidocs-schema-'));
  try {
    writeFileSync(join(dir, 'doc.json'), JSON.stringify(DOC));
    return await loadChecker(join(dir, 'doc.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const get = (status, body, contentType = 'application/json') =>
  ({ method: 'GET', path: '/things/{id}', status, contentType, body: JSON.stringify(body) });

test('a conforming body passes, nullable fields included', async () => {
  const check = await checker();
  assert.deepEqual(check(get(200, { id: 1, note: null, score: 0.5, parent: null })), []);
  assert.deepEqual(check(get(200, { id: 1, note: 'x', parent: { name: 'p' } })), []);
  assert.deepEqual(check({ ...get(304, {}), body: '' }), []);
});

test('departures are reported', async () => {
  const check = await checker();
  const bad = {
    'missing required': get(200, {}),
    'wrong type': get(200, { id: 'one' }),
    'not an integer': get(200, { id: 1.5 }),
    'null where not nullable': get(200, { id: null }),
    'exclusive minimum': get(200, { id: 1, score: 0 }),
    'undocumented field': get(200, { id: 1, extra: true }),
    'undocumented nested field': get(200, { id: 1, parent: { name: 'p', extra: 1 } }),
    'undocumented status': get(201, { id: 1 }),
    'undocumented media type': get(200, { id: 1 }, 'text/plain'),
    'body where none is documented': get(304, { id: 1 }),
    'unknown operation': { ...get(200, {}), method: 'POST' },
  };
  for (const [what, res] of Object.entries(bad)) {
    assert.notDeepEqual(check(res), [], what);
  }
});

test('OpenAPI 3.0 keywords are converted', () => {
  assert.deepEqual(toJsonSchema({ type: 'number', minimum: 0, exclusiveMinimum: true }),
    { type: 'number', exclusiveMinimum: 0 });
  assert.deepEqual(toJsonSchema({ type: 'string', enum: ['a'], nullable: true, example: 'a' }),
    { type: ['string', 'null'], enum: ['a', null] });
});
