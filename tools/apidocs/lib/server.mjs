// A real `attendly serve` for the Node tests: ATTENDLY_BIN from the environment (ctest
// sets it), SQLite in a temporary directory, a free port read from the `listening' line.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const START_TIMEOUT_MS = 30000;

export async function startServer(extraEnv = {}) {
  const bin = process.env.ATTENDLY_BIN;
  if (!bin) throw new Error('ATTENDLY_BIN is not set (ctest sets it to the built attendly)');
  const dir = mkdtempSync(join(tmpdir(), 'attendly-apidocs-'));
  const env = {
    PATH: process.env.PATH, HOME: dir, HOST: '127.0.0.1', PORT: '0',
    ATTENDLY_DATA_DIR: dir, ATTENDLY_PASSWORD_COST: '1',
    JWT_SECRET_KEY: 'apidocs-test-secret-0123456789abcdef0123456789',
    FACE_MODELS_DIR: join(dir, 'no-models'), ...extraEnv,
  };
  const child = spawn(bin, ['serve'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), START_TIMEOUT_MS);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const m = /msg="listening".* port=(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    exited.then(({ code }) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      const { code } = await exited;
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) throw new Error(`unclean server exit (${code}):\n${log}`);
    },
  };
}
