// validate.mjs must reject broken documents: deliberately broken copies of
// docs/openapi.json, one violation each.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const VALIDATE = fileURLToPath(new URL('../validate.mjs', import.meta.url));
const DOC = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));

function validate(doc) {
  const dir = mkdtempSync(join(tmpdir(), 'apidocs-validate-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    return spawnSync(process.execPath, [VALIDATE, file], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tolerance = (d) => d.paths['/api/attendance/recognize-faces'].post.requestBody
  .content['application/json'].schema.properties.tolerance;

const BROKEN = {
  'exclusiveMinimum as a number (3.1 style)': [(d) => {
    delete tolerance(d).minimum;
    tolerance(d).exclusiveMinimum = 0;
  }, /exclusiveMinimum/],
  'a $ref to a missing schema': [(d) => {
    d.components.schemas.Session.properties.my_attendance.allOf[0].$ref = '#/components/schemas/Nope';
  }, /Nope/],
  'type null (not in 3.0)': [(d) => { d.components.schemas.Error.properties.error.type = 'null'; }, /type/],
  'a path parameter that is not declared': [(d) => {
    d.paths['/api/classes/{id}'].get.parameters = [];
  }, /id/],
  'an OpenAPI 3.1 document': [(d) => { d.openapi = '3.1.0'; }, /3\.0/],
  'an operation without responses': [(d) => { delete d.paths['/health'].get.responses; }, /responses/],
};

test('the committed document is valid', () => {
  const r = validate(JSON.parse(readFileSync(DOC, 'utf8')));
  assert.equal(r.status, 0, r.stderr);
});

for (const [what, [breakIt, message]] of Object.entries(BROKEN)) {
  test(`rejected: ${what}`, () => {
    const doc = JSON.parse(readFileSync(DOC, 'utf8'));
    breakIt(doc);
    const r = validate(doc);
    assert.equal(r.status, 1, `exit status ${r.status}\n${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
  });
}
