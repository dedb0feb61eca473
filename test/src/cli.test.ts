import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './support/cli.js';
import { freshDatabase, type TestDatabase } from '@numbroker/store/testing';

const dir = mkdtempSync(join(tmpdir(), 'nb-cli-'));
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

let configs = 0;
function writeConfig(config: Record<string, unknown>): string {
  const path = join(dir, `config-${++configs}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** A failure a user caused: one line on stderr, no stack trace. */
function expectOneLineError(run: CliRun, code: number, pattern: RegExp): void {
  expect(run.code).toBe(code);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

const COMMANDS = [
  ['migrate'],
  ['user', 'create'],
  ['user', 'credit'],
  ['backup'],
  ['check-config'],
  ['prune'],
];

describe('numbroker CLI (real processes)', () => {
  it('--help lists every command, and each command has its own --help', async () => {
    const overview = await runCli(['--help']);
    expect(overview.code).toBe(0);
    for (const words of COMMANDS) expect(overview.stdout).toContain(words.join(' '));
    for (const words of COMMANDS) {
      const help = await runCli([...words, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`usage: numbroker ${words.join(' ')}`);
    }
    expect((await runCli([])).code).toBe(2);
    expectOneLineError(await runCli(['frobnicate']), 2, /unknown command "frobnicate"/);
    expectOneLineError(await runCli(['user', 'delete']), 2, /takes one of: create, credit/);
    expectOneLineError(
      await runCli(['user', 'create', '--nmae', 'x']),
      2,
      /Unknown option '--nmae'.*user create --help/,
    );
  });

  it('a reader that closes the pipe early (numbroker --help | head -1) is no error', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI_MAIN } = await import('./support/processes.js');
    const child = spawn(process.execPath, [CLI_MAIN, '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('check-config says OK with a summary without secrets, or names the bad key and exits 2', async () => {
    writeFileSync(join(dir, 'sa.key'), 'file-secret-key\n');
    const good = writeConfig({
      database: `sqlite:${join(dir, 'cc.sqlite')}`,
      adminApiKey: 'admin-secret-key',
      providers: [
        {
          id: 'a',
          kind: 'smsactivate',
          baseUrl: 'https://sa.example/stubs/handler_api.php',
          apiKeyFile: 'sa.key',
        },
        {
          id: 'b',
          kind: 'smsman',
          baseUrl: 'https://api.sms-man.com/control/',
          apiKeyEnv: 'MAN_KEY',
        },
      ],
    });
    const ok = await runCli(['check-config', '--config', good], { MAN_KEY: 'env-secret-key' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^config OK/);
    expect(ok.stdout).toContain('a: smsactivate at https://sa.example, key from sa.key');
    expect(ok.stdout).toContain('b: smsman at https://api.sms-man.com, key from $MAN_KEY');
    for (const secret of ['file-secret-key', 'env-secret-key', 'admin-secret-key']) {
      expect(ok.stdout).not.toContain(secret);
    }
    expectOneLineError(
      await runCli(['check-config', '--config', good]),
      2,
      /^numbroker check-config: config error at providers\[1\]\.apiKeyEnv: environment variable MAN_KEY is not set/,
    );
    const bad = writeConfig({ prot: 4000 });
    expectOneLineError(
      await runCli(['check-config', '--config', bad]),
      2,
      /config error at prot: unknown key/,
    );
    expectOneLineError(
      await runCli(['check-config', '--config', good], { MAN_KEY: 'k', LOG_LEVEL: 'chatty' }),
      2,
      /config error at logLevel \(from LOG_LEVEL\)/,
    );
  });

  describe.each(['sqlite', 'postgres'] as const)('on %s', (kind) => {
    it('migrate, user create, user credit (idempotent by reference), backup', async () => {
      const database = await freshDatabase(kind, { postgres: 'database', prefix: 'nb_cli' });
      databases.push(database);
      const config = writeConfig({ database: database.url, currency: 'IRT', autoMigrate: false });

      const status = await runCli(['migrate', '--status', '--config', config]);
      expect(status.code).toBe(1);
      expect(status.stdout).toMatch(/^\d+ pending: InitialSchema1767000000000, /);
      // With autoMigrate false nothing else migrates.
      expectOneLineError(
        await runCli(['user', 'create', '--name', 'early', '--config', config]),
        1,
        /needs \d+ migrations .*run `pnpm numbroker migrate`/,
      );
      const migrated = await runCli(['migrate', '--config', config]);
      expect(migrated.code).toBe(0);
      expect(migrated.stdout).toMatch(
        /^ran \d+ migrations: InitialSchema1767000000000, .*ActivationIds/,
      );
      expect((await runCli(['migrate', '--config', config])).stdout).toMatch(/up to date/);
      expect((await runCli(['migrate', '--status', '--config', config])).code).toBe(0);

      const created = await runCli(['user', 'create', '--name', 'shop-1', '--config', config]);
      expect(created.code).toBe(0);
      const id = /^user id: (\S+)$/m.exec(created.stdout)?.[1];
      const apiKey = /^api key: (\S+)$/m.exec(created.stdout)?.[1];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(apiKey).toMatch(/^[\w-]{43}$/);
      const json = await runCli([
        'user',
        'create',
        '--name',
        'shop-2',
        '--json',
        '--config',
        config,
      ]);
      expect(JSON.parse(json.stdout)).toMatchObject({ name: 'shop-2', isAdmin: false });
      expectOneLineError(
        await runCli(['user', 'create', '--config', config]),
        2,
        /--name is required/,
      );

      const credit = [
        'user',
        'credit',
        '--user',
        id!,
        '--amount',
        '500000',
        '--reference',
        'inv-1',
      ];
      const first = await runCli([...credit, '--config', config]);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe(
        `credited 500000 IRT to ${id} (reference inv-1); available 500000 IRT\n`,
      );
      const again = await runCli([...credit, '--config', config]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/already credited .* nothing changed; available 500000 IRT/);
      expectOneLineError(
        await runCli([
          'user',
          'credit',
          '--user',
          id!,
          '--amount',
          '1',
          '--reference',
          'inv-1',
          '--config',
          config,
        ]),
        1,
        /reference "inv-1" was already used with a different amount/,
      );
      expectOneLineError(
        await runCli([
          'user',
          'credit',
          '--user',
          'nobody',
          '--amount',
          '1',
          '--reference',
          'r',
          '--config',
          config,
        ]),
        1,
        /user nobody not found/,
      );
      expectOneLineError(
        await runCli([
          'user',
          'credit',
          '--user',
          id!,
          '--amount',
          '12.5.1',
          '--reference',
          'r',
          '--config',
          config,
        ]),
        2,
        /--amount/,
      );
      expectOneLineError(
        await runCli([
          'user',
          'credit',
          '--user',
          id!,
          '--amount',
          '-5',
          '--reference',
          'r',
          '--config',
          config,
        ]),
        2,
        /--amount/,
      );

      const copy = join(dir, `backup-${kind}.sqlite`);
      const backup = await runCli(['backup', '--to', copy, '--config', config]);
      if (kind === 'postgres') {
        expectOneLineError(backup, 1, /use pg_dump/);
        return;
      }
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(/^backed up to .* \(\d+ bytes, integrity checked\)/);
      expect(existsSync(copy)).toBe(true);
      expectOneLineError(
        await runCli(['backup', '--to', copy, '--config', config]),
        1,
        /already exists/,
      );
      const pruned = await runCli(['prune', '--days', '30', '--config', config]);
      expect(pruned.code).toBe(0);
      expect(pruned.stdout).toMatch(/^pruned history before /);
    });
  });

  it('an unreachable database is one line and exit 1', async () => {
    const config = writeConfig({ database: 'postgres://root@127.0.0.1:1/none' });
    expectOneLineError(
      await runCli(['migrate', '--config', config]),
      1,
      /^numbroker migrate: failed: .*ECONNREFUSED/,
    );
  });
});
