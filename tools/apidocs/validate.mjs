// Validates an OpenAPI 3.0 document: swagger-parser checks it against the official
// OpenAPI 3.0 JSON schema and resolves every $ref; Redocly's linter adds the rules of the
// specification that the schema cannot express (path parameters declared, unique
// operationIds, `type` beside `nullable`, examples matching schemas, ...).
// Usage: node validate.mjs FILE — exit status 0 when valid, 1 with every problem listed.
import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lint } from '@redocly/openapi-core';

// Redocly's strict set, less what is a choice rather than a defect.
const LINT_RULES = { extends: ['recommended-strict'], rules: { 'info-license': 'off' } };

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs OPENAPI.json');
  process.exit(2);
}
const problems = [];
try {
  const api = await SwaggerParser.validate(file);
  if (!/^3\.0\.\d+$/.test(api.openapi ?? '')) {
    problems.push(`openapi is "${api.openapi}", expected 3.0.x (what client generators read)`);
  }
} catch (err) {
  problems.push(err.message);
}
const config = await createConfig(LINT_RULES);
for (const p of await lint({ ref: file, config })) {
  const where = p.location?.[0]?.pointer ?? '';
  problems.push(`${p.severity} ${p.ruleId}: ${p.message} ${where}`);
}
if (problems.length) {
  console.error(`${file}: invalid`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`${file}: valid OpenAPI 3.0 (schema and lint rules)`);
