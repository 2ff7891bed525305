/**
 * Checks of a request's members against the Data API model (required members, lengths, enums),
 * reported as AWS reports model violations: a ValidationException listing each one.
 */
import { validationError } from './errors.js';
import { validateParameters } from './parameters.js';
import type {
  BatchExecuteStatementRequest,
  BeginTransactionRequest,
  EndTransactionRequest,
  ExecuteStatementRequest,
} from './wire-types.js';

interface StringRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
}

type Request = Record<string, unknown>;

function check(request: Request, rules: Record<string, StringRule>): string[] {
  const problems: string[] = [];
  for (const [member, rule] of Object.entries(rules)) {
    const value = request[member];
    if (value === undefined || value === null) {
      if (rule.required) problems.push(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    if (typeof value !== 'string') {
      problems.push(`Value at '${member}' failed to satisfy constraint: Member must be a string`);
      continue;
    }
    if (rule.min !== undefined && value.length < rule.min) {
      problems.push(
        `Value '${value}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`,
      );
    }
    if (rule.max !== undefined && value.length > rule.max) {
      const shown = value.length > 100 ? `${value.slice(0, 100)}...` : value;
      problems.push(
        `Value '${shown}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`,
      );
    }
    if (rule.values && !rule.values.includes(value)) {
      problems.push(
        `Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${rule.values.join(', ')}]`,
      );
    }
  }
  return problems;
}

function raise(problems: readonly string[]): void {
  if (problems.length === 0) return;
  const count = problems.length === 1 ? '1 validation error detected' : `${problems.length} validation errors detected`;
  throw validationError(`${count}: ${problems.join('; ')}`);
}

const ARN: StringRule = { required: true, min: 11, max: 100 };
const NAME: StringRule = { min: 0, max: 64 };
const TRANSACTION_ID: StringRule = { min: 0, max: 192 };
const SQL: StringRule = { required: true, min: 0, max: 65536 };

function rejectSchema(request: { schema?: unknown }): void {
  if (request.schema !== undefined && request.schema !== null) {
    throw validationError("The schema parameter isn't supported.");
  }
}

export function validateExecute(request: ExecuteStatementRequest): void {
  const problems = check(request as Request, {
    resourceArn: ARN,
    secretArn: ARN,
    sql: SQL,
    database: NAME,
    schema: NAME,
    transactionId: TRANSACTION_ID,
    formatRecordsAs: { values: ['NONE', 'JSON'] },
  });
  const options = request.resultSetOptions;
  if (options) {
    problems.push(
      ...check(options as Request, {
        decimalReturnType: { values: ['STRING', 'DOUBLE_OR_LONG'] },
        longReturnType: { values: ['STRING', 'LONG'] },
      }).map((problem) => problem.replace(/at '(\w+)'/, "at 'resultSetOptions.$1'")),
    );
  }
  raise(problems);
  rejectSchema(request);
  validateParameters(request.parameters, 'parameters');
}

export function validateBatchExecute(request: BatchExecuteStatementRequest): void {
  raise(
    check(request as Request, {
      resourceArn: ARN,
      secretArn: ARN,
      sql: SQL,
      database: NAME,
      schema: NAME,
      transactionId: TRANSACTION_ID,
    }),
  );
  rejectSchema(request);
  request.parameterSets?.forEach((set, index) => validateParameters(set, `parameterSets.${index + 1}.member`));
}

export function validateBeginTransaction(request: BeginTransactionRequest): void {
  raise(check(request as Request, { resourceArn: ARN, secretArn: ARN, database: NAME, schema: NAME }));
  rejectSchema(request);
}

export function validateEndTransaction(request: EndTransactionRequest): void {
  raise(
    check(request as Request, {
      resourceArn: ARN,
      secretArn: ARN,
      transactionId: { required: true, min: 0, max: 192 },
    }),
  );
}
