const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** pino writes JSON; a person reads "level message {details}". A line that is not a pino
 *  record comes back as it was. */
export function readableLogLine(line: string): string {
  try {
    const record = JSON.parse(line) as Record<string, unknown> | null;
    if (typeof record !== 'object' || record === null) return line;
    const { level, msg, time: _time, pid: _pid, hostname: _host, ...rest } = record;
    const levelName = LEVEL_NAMES[typeof level === 'number' ? level : 30] ?? 'info';
    const details = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `${levelName} ${typeof msg === 'string' ? msg : ''}${details}`;
  } catch {
    return line;
  }
}
