import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppProcess, freePort, readableLogLine, waitFor, waitForHttpOk } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'numbroker-processes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in "app": prints its arguments and LOG_LEVEL, serves /healthz on PORT, stops on SIGTERM. */
function script(body: string): string {
  const path = join(dir, `app-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(path, body);
  return path;
}

describe('AppProcess', () => {
  it('passes --config and LOG_LEVEL, keeps its output lines, stops on SIGTERM', async () => {
    const main = script(`
      console.log(JSON.stringify({ level: 30, msg: 'started', args: process.argv.slice(2), logLevel: process.env.LOG_LEVEL }));
      process.on('SIGTERM', () => { console.log('bye'); process.exit(0); });
      setInterval(() => {}, 1000);
    `);
    const lines: string[] = [];
    const app = AppProcess.start('app', main, '/tmp/x.json', {
      logLevel: 'debug',
      onLine: (line) => lines.push(line),
      keepAllLines: 1,
    });
    await waitFor(() => lines.length > 0, 10_000, 'the first line');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      args: ['--config', '/tmp/x.json'],
      logLevel: 'debug',
    });
    expect(app.running).toBe(true);
    expect(await app.stop()).toEqual({ code: 0, signal: null });
    expect(app.recentOutput()).toContain('bye');
    expect(app.allOutput()).toEqual([lines[0]]);
    expect(app.running).toBe(false);
  });

  it('kill9 ends a process that ignores SIGTERM; stop escalates to SIGKILL after the grace', async () => {
    const main = script(
      `process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);`,
    );
    const stubborn = AppProcess.start('stubborn', main, 'c.json');
    await waitFor(() => stubborn.recentOutput().includes('up'), 10_000, 'up');
    expect(await stubborn.stop(200)).toEqual({ code: null, signal: 'SIGKILL' });
    const other = AppProcess.start('other', main, 'c.json');
    await waitFor(() => other.recentOutput().includes('up'), 10_000, 'up');
    await other.kill9();
    expect(await other.exited()).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('refuses an entry point that is not built', () => {
    expect(() => AppProcess.start('x', join(dir, 'missing.js'), 'c.json')).toThrow(
      /build it first/,
    );
  });
});

describe('waiting', () => {
  it('waitForHttpOk waits for a server that comes up later, and waitFor times out naming what', async () => {
    const port = await freePort();
    const main = script(`
      setTimeout(() => require_http(), 300);
      async function require_http() {
        const { createServer } = await import('node:http');
        createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end()).listen(${port}, '127.0.0.1');
      }
      process.on('SIGTERM', () => process.exit(0));
    `);
    const app = AppProcess.start('http', main, 'c.json');
    try {
      await waitForHttpOk(`http://127.0.0.1:${port}`, 10_000);
    } finally {
      await app.stop();
    }
    await expect(waitFor(() => false, 100, 'nothing', 20)).rejects.toThrow(
      /timed out after 100 ms waiting for nothing/,
    );
  });
});

describe('readableLogLine', () => {
  it('turns a pino record into "level message {details}" and leaves other lines alone', () => {
    expect(
      readableLogLine('{"level":40,"time":1,"pid":2,"hostname":"h","msg":"slow","ms":5}'),
    ).toBe('warn slow {"ms":5}');
    expect(readableLogLine('plain text')).toBe('plain text');
    expect(readableLogLine('42')).toBe('42');
  });
});
