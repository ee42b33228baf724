// GET /api/docs and its bundle on a real server: status, security headers, caching,
// gzip, and no URL of another origin in the page or the bundle's font loading.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import http from 'node:http';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

import { startServer } from '../lib/server.mjs';

const BUNDLE = readFileSync(createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js'));
const CSP = {
  'default-src': "'none'", 'script-src': "'self'", 'style-src': "'self' 'unsafe-inline'",
  'img-src': "'self' data:", 'font-src': "'self'", 'connect-src': "'self'",
  'worker-src': 'blob:', 'base-uri': "'none'", 'frame-ancestors': "'none'",
  'form-action': "'none'",
};
let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

function assertSecurityHeaders(res) {
  const csp = Object.fromEntries((res.headers.get('content-security-policy') ?? '').split(';')
    .map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v.join(' ')]));
  assert.deepEqual(csp, CSP);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
}

// The bytes as sent (fetch() would decode gzip itself); res.headers.get() as with fetch.
const raw = (path, headers = {}) => new Promise((resolve, reject) => {
  const req = http.get(server.base + path, { headers: { 'Accept-Encoding': 'identity', ...headers } },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        res: { status: res.statusCode, headers: { get: (h) => res.headers[h.toLowerCase()] ?? null } },
        body: Buffer.concat(chunks),
      }));
    });
  req.on('error', reject);
});

async function page() {
  const res = await fetch(`${server.base}/api/docs`);
  assert.equal(res.status, 200);
  return { res, html: await res.text() };
}

test('the page: HTML, strict headers, no inline script, same-origin URLs only', async () => {
  const { res, html } = await page();
  assert.match(res.headers.get('content-type'), /^text\/html; charset=utf-8$/);
  assertSecurityHeaders(res);
  assert.match(html, /<redoc spec-url="\/api\/openapi.json"><\/redoc>/);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0][1], /src="\/api\/docs\/redoc\.standalone\.js\?v=[0-9a-f]{16}"/);
  assert.equal(scripts[0][2].trim(), '', 'no inline script');
  assert.doesNotMatch(html, /\son\w+=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /<style/i);
  const urls = [...html.matchAll(/\b(?:src|href|spec-url)="([^"]*)"/g)].map((m) => m[1]);
  assert.ok(urls.length >= 3);
  for (const u of urls) {
    assert.ok(u === 'data:,' || (u.startsWith('/') && !u.startsWith('//')), `same-origin URL: ${u}`);
  }
  assert.doesNotMatch(html, /https?:\/\/|["']\/\//, 'no absolute or protocol-relative URL');
});

test('the bundle: identity and gzip, content-hash URL immutable, ETag revalidation', async () => {
  const { html } = await page();
  const src = /src="([^"]+)"/.exec(html)[1];
  const hash = new URL(src, server.base).searchParams.get('v');

  const plain = await raw(src);
  assert.equal(plain.res.status, 200);
  assert.match(plain.res.headers.get('content-type'), /^text\/javascript/);
  assert.equal(plain.res.headers.get('content-encoding'), null);
  assert.ok(plain.body.equals(BUNDLE), 'the embedded bundle is the installed Redoc bundle');
  assert.equal(plain.res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(plain.res.headers.get('vary'), 'Accept-Encoding');
  assertSecurityHeaders(plain.res);

  const gz = await raw(src, { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(gz.res.headers.get('content-encoding'), 'gzip');
  assert.ok(gz.body.length < BUNDLE.length / 2, `gzip: ${gz.body.length} bytes`);
  assert.ok(gunzipSync(gz.body).equals(BUNDLE));
  assert.equal((await raw(src, { 'Accept-Encoding': 'gzip;q=0, br' })).res.headers.get('content-encoding'), null);

  const etag = plain.res.headers.get('etag');
  assert.equal(etag, `W/"${hash}"`);
  assert.equal(gz.res.headers.get('etag'), etag);
  const unversioned = await raw('/api/docs/redoc.standalone.js');
  assert.equal(unversioned.res.headers.get('cache-control'), 'public, max-age=300');
  const stale = await raw('/api/docs/redoc.standalone.js?v=0000000000000000');
  assert.equal(stale.res.headers.get('cache-control'), 'public, max-age=300');
  const revalidated = await raw('/api/docs/redoc.standalone.js', { 'If-None-Match': etag });
  assert.equal(revalidated.res.status, 304);
  assert.equal(revalidated.body.length, 0);
  assert.equal((await raw(src, { 'If-None-Match': 'W/"other"' })).res.status, 200);
});

test('the spec the page loads is served, same origin', async () => {
  const res = await fetch(`${server.base}/api/openapi.json`);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).openapi.slice(0, 4), '3.0.');
});

// No browser here: what the bundle could fetch from elsewhere is checked in its text.
test('the bundle loads no web fonts or styles from another origin', () => {
  const text = BUNDLE.toString('utf8');
  for (const host of ['fonts.googleapis', 'fonts.gstatic', 'cdn.jsdelivr', 'unpkg']) {
    assert.ok(!text.includes(host), `bundle mentions ${host}`);
  }
  assert.doesNotMatch(text, /@import\s+url\(\s*["']?https?:/, 'no remote CSS @import');
});
