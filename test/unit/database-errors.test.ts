import { describe, expect, it } from 'vitest';
import { classifyDatabaseError } from '../../functions/db/database-errors.js';
import { toDataApiError } from '../../infra/local/data-api/errors.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code, severity: 'FATAL' });
const dataApi = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('classifying database failures', () => {
  it.each([
    ['57P01 admin_shutdown (pg_terminate_backend, restart)', pgError('57P01', 'terminating connection due to administrator command')],
    ['57P02 crash_shutdown', pgError('57P02')],
    ['57P03 cannot_connect_now (starting up, recovery)', pgError('57P03', 'the database system is starting up')],
    ['57P05 idle_session_timeout', pgError('57P05')],
    ['08006 connection_failure', pgError('08006')],
    ['08001 unable to connect', pgError('08001')],
    ['08P01 protocol violation', pgError('08P01')],
    ['53300 too_many_connections', pgError('53300', 'sorry, too many clients already')],
    ['node-postgres: Connection terminated unexpectedly', new Error('Connection terminated unexpectedly')],
    ['node-postgres: Connection terminated', new Error('Connection terminated')],
    ['node-postgres: not queryable', new Error('Client has encountered a connection error and is not queryable')],
    ['pg-pool: connect timeout', new Error('timeout exceeded when trying to connect')],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['Data API: DatabaseResumingException', dataApi('DatabaseResumingException', 'resuming')],
    ['Data API: DatabaseUnavailableException', dataApi('DatabaseUnavailableException', 'unavailable')],
    ['Data API: ServiceUnavailableError', dataApi('ServiceUnavailableError', 'unavailable')],
    [
      'Data API: 57P01 in the message',
      dataApi('DatabaseErrorException', 'FATAL: terminating connection due to administrator command; SQLState: 57P01'),
    ],
    [
      'Data API: 08006 in the message',
      dataApi('DatabaseErrorException', 'An I/O error occurred while sending to the backend.; SQLState: 08006'),
    ],
  ])('%s is unavailable (503)', (_name, error) => {
    expect(classifyDatabaseError(error)).toEqual({ kind: 'unavailable' });
  });

  it.each([
    ['57014 query_canceled (a statement timeout)', pgError('57014')],
    ['22P02 invalid text representation', pgError('22P02')],
    ['a plain Error', new Error('boom')],
    ['Data API: a syntax error', dataApi('DatabaseErrorException', 'ERROR: syntax error; SQLState: 42601')],
    ['not an error', 'Connection terminated'],
  ])('%s is not classified', (_name, error) => {
    expect(classifyDatabaseError(error)).toBeNull();
  });

  it('keeps unique, check and serialization failures as they were', () => {
    expect(classifyDatabaseError(Object.assign(pgError('23505'), { constraint: 'idx_customers_email' }))).toEqual({
      kind: 'unique_violation',
      constraint: 'idx_customers_email',
    });
    expect(classifyDatabaseError(dataApi('DatabaseErrorException', 'ERROR: violates check constraint "c"; SQLState: 23514'))).toEqual({
      kind: 'check_violation',
      constraint: 'c',
    });
    expect(classifyDatabaseError(pgError('40P01'))).toEqual({ kind: 'serialization_failure' });
  });

  it('the local Data API endpoint reports a lost or refused connection the way the client classifies as unavailable', () => {
    for (const error of [
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      pgError('57P01', 'terminating connection due to administrator command'),
    ]) {
      const reported = toDataApiError(error);
      expect(reported.type).toBe('DatabaseErrorException');
      expect(classifyDatabaseError(Object.assign(new Error(reported.message), { name: reported.type }))).toEqual({ kind: 'unavailable' });
    }
  });
});
