// Response-schema checks: the schema of (path, method, status, media type) in an OpenAPI
// 3.0 document, converted to JSON Schema and compiled with ajv.
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

// OpenAPI-only keywords that JSON Schema does not have (ajv's strict mode rejects them).
const OPENAPI_ONLY = ['nullable', 'example', 'discriminator', 'xml', 'externalDocs', 'deprecated'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];

// OpenAPI 3.0 Schema Object -> JSON Schema (draft-07). `closed`: an object schema that lists
// properties and says nothing of others gets additionalProperties: false, so a field the
// server sends but the document does not name fails (the document itself stays open, so
// clients tolerate fields added later).
export function toJsonSchema(s, { closed = false } = {}) {
  if (Array.isArray(s)) return s.map((x) => toJsonSchema(x, { closed }));
  if (!s || typeof s !== 'object') return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (OPENAPI_ONLY.includes(k) || k.startsWith('x-')) continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(v).map(([name, p]) => [name, toJsonSchema(p, { closed })]));
    } else if (k === 'items' || k === 'not' || (k === 'additionalProperties' && typeof v === 'object')) {
      out[k] = toJsonSchema(v, { closed });
    } else if (SUBSCHEMA_LISTS.includes(k)) {
      out[k] = v.map((x) => toJsonSchema(x, { closed }));
    } else {
      out[k] = v;
    }
  }
  // 3.0: exclusiveMinimum/Maximum are booleans qualifying minimum/maximum.
  for (const [ex, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']]) {
    if (typeof out[ex] === 'boolean') {
      if (out[ex] && bound in out) {
        out[ex] = out[bound];
        delete out[bound];
      } else {
        delete out[ex];
      }
    }
  }
  if (closed && out.properties && Object.keys(out.properties).length > 0 &&
      !('additionalProperties' in out)) {
    out.additionalProperties = false;
  }
  // nullable: null is allowed besides what the rest of the schema allows. With allOf/oneOf/
  // anyOf beside it (a nullable reference) null must bypass them, hence the anyOf.
  if (s.nullable === true) {
    const composed = SUBSCHEMA_LISTS.some((k) => k in out);
    if (typeof out.type === 'string' && !composed) {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [{ type: 'null' }, out] };
    }
  }
  return out;
}

function newAjv() {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  addFormats(ajv);
  const int = (bits) => (n) => Number.isInteger(n) && Math.abs(n) < 2 ** (bits - 1);
  ajv.addFormat('int32', { type: 'number', validate: int(32) });
  ajv.addFormat('int64', { type: 'number', validate: int(64) });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat('binary', () => true);
  return ajv;
}

const mediaType = (ct) => (ct ?? '').split(';')[0].trim().toLowerCase();

// Loads the document (all $refs resolved) and returns check(), which names every way a
// response departs from it: an undocumented status, media type or body.
export async function loadChecker(file, { closed = true } = {}) {
  const doc = await SwaggerParser.dereference(file);
  const ajv = newAjv();
  const cache = new Map();
  return function check({ method, path, status, contentType, body }) {
    const op = doc.paths[path]?.[method.toLowerCase()];
    if (!op) return [`${method} ${path} is not in the document`];
    const res = op.responses[String(status)] ?? op.responses.default;
    if (!res) return [`${method} ${path}: status ${status} is not documented`];
    const content = res.content ?? {};
    if (Object.keys(content).length === 0) {
      return body === '' || body === undefined ? [] :
        [`${method} ${path} ${status}: a body, but the document gives none`];
    }
    const key = Object.keys(content).find((k) => k === contentType) ??
      Object.keys(content).find((k) => mediaType(k) === mediaType(contentType));
    if (!key) return [`${method} ${path} ${status}: media type ${contentType} not documented`];
    if (mediaType(key) !== 'application/json') return [];
    const id = `${method} ${path} ${status} ${key}`;
    if (!cache.has(id)) cache.set(id, ajv.compile(toJsonSchema(content[key].schema ?? {}, { closed })));
    const validate = cache.get(id);
    let value;
    try {
      value = typeof body === 'string' ? JSON.parse(body) : body;
    } catch (err) {
      return [`${id}: body is not JSON: ${err.message}`];
    }
    if (validate(value)) return [];
    return validate.errors.map((e) =>
      `${id}: ${e.instancePath || '(body)'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`);
  };
}
