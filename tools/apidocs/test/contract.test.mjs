// The document cannot drift from the server: a realistic flow against a real
// `attendly serve`, every response checked against docs/openapi.json (status documented
// for the operation, media type, body schema with no undocumented fields).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadChecker } from '../lib/schema.mjs';
import { startServer } from '../lib/server.mjs';

const DOC = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));
let server;
let check;
const seen = [];

before(async () => {
  check = await loadChecker(DOC);
  server = await startServer();
});
after(async () => {
  console.log(`checked ${seen.length} responses:\n  ${[...new Set(seen)].join('\n  ')}`);
  await server?.stop();
});

// One request to `template` (e.g. /api/classes/{id}); fails the test when the response
// departs from the document or its status is not `expect`.
async function api(method, template, { params = {}, query, token, body, expect } = {}) {
  let url = template.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(params[k]));
  if (query) url += `?${new URLSearchParams(query)}`;
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(server.base + url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const contentType = res.headers.get('content-type');
  seen.push(`${method} ${template} ${res.status}`);
  const errors = check({ method, path: template, status: res.status, contentType, body: text });
  assert.deepEqual(errors, [], `${method} ${url} -> ${res.status} ${text.slice(0, 300)}`);
  if (expect !== undefined) assert.equal(res.status, expect, `${method} ${url}: ${text.slice(0, 300)}`);
  return contentType?.startsWith('application/json') ? JSON.parse(text) : text;
}

const PASSWORD = 'correct-horse-1';
const signup = (email, role) => api('POST', '/api/auth/signup', {
  body: { email, password: PASSWORD, first_name: 'Ada', last_name: role, role }, expect: 201,
});

test('auth, classes and attendance responses match the document', async () => {
  const teacher = await signup('teacher@example.com', 'teacher');
  const student = await signup('student@example.com', 'student');
  await signup('other@example.com', 'student');
  const t = teacher.access_token;
  const s = student.access_token;

  // auth
  await api('POST', '/api/auth/signup', { body: { email: 'teacher@example.com', password: PASSWORD,
    first_name: 'A', last_name: 'B', role: 'teacher' }, expect: 409 });
  await api('POST', '/api/auth/signup', { body: { email: 'x@example.com' }, expect: 400 });
  const login = await api('POST', '/api/auth/login',
    { body: { email: 'teacher@example.com', password: PASSWORD }, expect: 200 });
  assert.ok(login.access_token);
  await api('POST', '/api/auth/login',
    { body: { email: 'teacher@example.com', password: 'wrong-password' }, expect: 401 });
  await api('GET', '/api/auth/profile', { token: t, expect: 200 });
  await api('GET', '/api/auth/profile', { expect: 401 });
  await api('GET', '/api/auth/verify-token', { token: s, expect: 200 });
  await api('PUT', '/api/auth/profile', { token: s, body: { first_name: 'Grace' }, expect: 200 });
  await api('POST', '/api/auth/refresh', { token: teacher.refresh_token, expect: 200 });

  // classes
  const created = await api('POST', '/api/classes/create',
    { token: t, body: { name: 'Physics', description: 'Year 1' }, expect: 201 });
  const cls = created.class;
  await api('POST', '/api/classes/create', { token: s, body: { name: 'No' }, expect: 403 });
  await api('POST', '/api/classes/create', { token: t, body: {}, expect: 400 });
  await api('POST', '/api/classes/join', { token: s, body: { join_code: cls.join_code }, expect: 200 });
  await api('POST', '/api/classes/join', { token: s, body: { join_code: cls.join_code }, expect: 409 });
  await api('POST', '/api/classes/join', { token: s, body: { join_code: 'ZZZZZZ' }, expect: 404 });
  await api('GET', '/api/classes/my-classes', { token: t, expect: 200 });
  await api('GET', '/api/classes/my-classes', { token: s, expect: 200 });
  await api('GET', '/api/classes/{id}', { params: { id: cls.id }, token: t, expect: 200 });
  await api('GET', '/api/classes/{id}', { params: { id: cls.id }, token: s, expect: 200 });
  await api('GET', '/api/classes/{id}', { params: { id: 999999 }, token: t, expect: 404 });
  await api('PUT', '/api/classes/{id}/update',
    { params: { id: cls.id }, token: t, body: { description: 'Year 2' }, expect: 200 });
  await api('GET', '/api/classes/dashboard-stats', { token: t, expect: 200 });
  await api('GET', '/api/classes/dashboard-stats', { token: s, expect: 200 });

  // attendance
  const made = await api('POST', '/api/attendance/create-session', { token: t,
    body: { class_id: cls.id, session_name: 'Week 1', session_date: '2025-10-18' }, expect: 201 });
  const session = made.session;
  await api('POST', '/api/attendance/create-session',
    { token: s, body: { class_id: cls.id, session_name: 'x' }, expect: 403 });
  await api('POST', '/api/attendance/mark-attendance', { token: t,
    body: { session_id: session.id, student_ids: [student.user.id, 999999], status: 'present' },
    expect: 200 });
  const records = await api('GET', '/api/attendance/session/{id}/records',
    { params: { id: session.id }, token: t, expect: 200 });
  await api('GET', '/api/attendance/session/{id}/records',
    { params: { id: session.id }, token: s, expect: 200 });
  const record = records.attendance_records?.[0];
  assert.ok(record, `a record in ${JSON.stringify(records)}`);
  await api('PUT', '/api/attendance/record/{id}',
    { params: { id: record.id }, token: t, body: { status: 'late' }, expect: 200 });
  await api('PUT', '/api/attendance/record/{id}',
    { params: { id: record.id }, token: t, body: { status: 'gone' }, expect: 400 });
  await api('GET', '/api/attendance/sessions/{class_id}',
    { params: { class_id: cls.id }, token: t, expect: 200 });
  await api('GET', '/api/attendance/sessions/{class_id}',
    { params: { class_id: cls.id }, token: s, expect: 200 });
  await api('GET', '/api/attendance/student-records', { token: s, expect: 200 });
  await api('GET', '/api/attendance/student-records', { token: t, expect: 403 });
  await api('GET', '/api/attendance/class/{class_id}/report',
    { params: { class_id: cls.id }, token: t, expect: 200 });
  await api('GET', '/api/attendance/class/{class_id}/report',
    { params: { class_id: cls.id }, query: { format: 'csv' }, token: t, expect: 200 });
  await api('GET', '/api/attendance/class/{class_id}/report',
    { params: { class_id: cls.id }, token: s, expect: 403 });
  await api('POST', '/api/attendance/session/{id}/finalize',
    { params: { id: session.id }, token: t, expect: 200 });
  await api('GET', '/api/classes/dashboard-stats', { token: t, expect: 200 });

  // face data without models, and members
  await api('GET', '/api/face-data/student/facial-status', { token: s, expect: 200 });
  await api('GET', '/api/face-data/my-data', { token: s });
  await api('POST', '/api/classes/{id}/leave', { params: { id: cls.id }, token: s, expect: 200 });
  await api('POST', '/api/classes/{id}/regenerate-code', { params: { id: cls.id }, token: t, expect: 200 });

  // operations
  await api('GET', '/health');
  await api('GET', '/api/openapi.json', { expect: 200 });
  await api('POST', '/api/auth/logout', { token: t, body: {}, expect: 200 });
  await api('GET', '/api/auth/profile', { token: t, expect: 401 });
});
