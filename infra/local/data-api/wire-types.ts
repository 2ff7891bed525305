/**
 * The JSON shapes of the Data API's REST-JSON protocol as they travel over HTTP
 * (blobs are base64 strings, longs are JSON numbers).
 */

export interface WireArrayValue {
  booleanValues?: (boolean | null)[];
  longValues?: (number | null)[];
  doubleValues?: (number | string | null)[];
  stringValues?: (string | null)[];
  arrayValues?: WireArrayValue[];
}

export interface WireField {
  isNull?: boolean;
  booleanValue?: boolean;
  longValue?: number;
  doubleValue?: number | string;
  stringValue?: string;
  blobValue?: string;
  arrayValue?: WireArrayValue;
}

export type TypeHint = 'JSON' | 'UUID' | 'TIMESTAMP' | 'DATE' | 'TIME' | 'DECIMAL';

export interface WireSqlParameter {
  name?: string;
  value?: WireField;
  typeHint?: string;
}

export interface ResultSetOptions {
  decimalReturnType?: 'STRING' | 'DOUBLE_OR_LONG';
  longReturnType?: 'STRING' | 'LONG';
}

export interface ExecuteStatementRequest {
  resourceArn?: string;
  secretArn?: string;
  sql?: string;
  database?: string;
  schema?: string;
  parameters?: WireSqlParameter[];
  transactionId?: string;
  includeResultMetadata?: boolean;
  continueAfterTimeout?: boolean;
  resultSetOptions?: ResultSetOptions;
  formatRecordsAs?: 'NONE' | 'JSON';
}

export interface BatchExecuteStatementRequest {
  resourceArn?: string;
  secretArn?: string;
  sql?: string;
  database?: string;
  schema?: string;
  parameterSets?: WireSqlParameter[][];
  transactionId?: string;
}

export interface BeginTransactionRequest {
  resourceArn?: string;
  secretArn?: string;
  database?: string;
  schema?: string;
}

export interface EndTransactionRequest {
  resourceArn?: string;
  secretArn?: string;
  transactionId?: string;
}

export interface WireColumnMetadata {
  name: string;
  type: number;
  typeName: string;
  label: string;
  schemaName: string;
  tableName: string;
  isAutoIncrement: boolean;
  isSigned: boolean;
  isCurrency: boolean;
  isCaseSensitive: boolean;
  nullable: number;
  precision: number;
  scale: number;
  arrayBaseColumnType: number;
}
