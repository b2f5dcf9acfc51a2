import { spawn } from 'node:child_process';

/**
 * Runs `pg_dump` or `pg_restore` against `url`. The password travels in PGPASSWORD, not on
 * the command line, where any local user could read it with `ps`. Fails with the tool's own
 * last words (PostgreSQL's messages say what went wrong better than we could).
 */
export async function runPgTool(tool: 'pg_dump' | 'pg_restore', url: string, args: string[]): Promise<void> {
  const connection = new URL(url);
  const password = decodeURIComponent(connection.password);
  connection.password = '';
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) };
  const child = spawn(tool, [...args, `--dbname=${connection.toString()}`], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4000); });
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT'
      ? new Error(`${tool} is not installed or not on PATH: install the PostgreSQL client tools (same major version as the server, or newer)`)
      : error));
    child.on('close', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) throw new Error(`${tool} failed (exit ${code}): ${stderr.trim() || 'no message'}`);
}
