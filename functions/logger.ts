import { Logger as PowertoolsLogger, type LogItem } from '@aws-lambda-powertools/logger';

/** Our level names (LOG_LEVEL) and Powertools' for each. */
const LEVELS = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', silent: 'SILENT' } as const;
export type LogLevel = keyof typeof LEVELS;

/** What the code logs through: a message and structured fields. Implemented over Powertools Logger. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  /** The `service` key of every line (CDK sets SERVICE_NAME to `customer-mgmt-<env>`). */
  readonly serviceName?: string;
  /** Keys on every line, e.g. `environment`. */
  readonly persistentKeys?: Record<string, string>;
}

/** Powertools Logger that hands each line to `write` instead of stdout (the local server's tests read them). */
class LineWritingLogger extends PowertoolsLogger {
  #write: ((line: string) => void) | undefined;

  constructor(options: ConstructorParameters<typeof PowertoolsLogger>[0], write?: (line: string) => void) {
    super(options);
    this.#write = write;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (!this.#write) return super.printLog(logLevel, log);
    log.prepareForPrint();
    this.#write(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

const powertools = new WeakMap<Logger, PowertoolsLogger>();

/**
 * One JSON object per line (Powertools Logger: `level`, `message`, `timestamp`, `service`, the
 * fields, and in Lambda the cold start, request and trace ids), so CloudWatch Logs Insights and
 * jq can query any field. Lines go to stdout, or to `write` when given.
 */
export function createLogger(level: LogLevel = 'info', write?: (line: string) => void, options: LoggerOptions = {}): Logger {
  const underlying = new LineWritingLogger(
    {
      logLevel: LEVELS[level],
      serviceName: options.serviceName ?? process.env.SERVICE_NAME ?? 'customer-mgmt',
      ...(options.persistentKeys && { persistentKeys: options.persistentKeys }),
    },
    write,
  );
  const at =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void =>
      fields === undefined ? underlying[method](message) : underlying[method](message, fields);
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  powertools.set(logger, underlying);
  return logger;
}

/** The Powertools Logger behind a logger from createLogger (for its middy middleware). */
export function powertoolsLoggerOf(logger: Logger): PowertoolsLogger {
  const underlying = powertools.get(logger);
  if (!underlying) throw new Error('not a logger made by createLogger');
  return underlying;
}

export function parseLogLevel(value: string | undefined): LogLevel {
  return value !== undefined && value in LEVELS ? (value as LogLevel) : 'info';
}
