import { describe, expect, it } from 'vitest';
import { scanSql } from '../../infra/local/data-api/sql-scanner.js';

describe('named parameters', () => {
  it('become positional, a repeated name keeping its number', () => {
    const scanned = scanSql('SELECT * FROM t WHERE a = :a AND b = :b_2 OR a2 = :a');
    expect(scanned.text).toBe('SELECT * FROM t WHERE a = $1 AND b = $2 OR a2 = $1');
    expect(scanned.names).toEqual(['a', 'b_2']);
  });

  it('leave ::type casts alone', () => {
    const scanned = scanSql("SELECT :id::uuid, '1'::int, x::text FROM t");
    expect(scanned.text).toBe("SELECT $1::uuid, '1'::int, x::text FROM t");
    expect(scanned.names).toEqual(['id']);
  });

  it('are not seen inside string literals, quoted identifiers or comments', () => {
    const sql = [
      "SELECT ':a', E'\\':b', \"col:c\", $$ :d $$, $tag$ :e $tag$, 'it''s :f'",
      '-- :g',
      '/* :h /* nested :i */ :j */ :real',
    ].join('\n');
    const scanned = scanSql(sql);
    expect(scanned.names).toEqual(['real']);
    expect(scanned.text).toBe(sql.replace(':real', '$1'));
  });

  it('may be numbers, as kysely-data-api names them', () => {
    const scanned = scanSql('SELECT * FROM t WHERE a = :0 AND b = :1');
    expect(scanned.text).toBe('SELECT * FROM t WHERE a = $1 AND b = $2');
    expect(scanned.names).toEqual(['0', '1']);
  });
});

describe('statement count', () => {
  it('accepts one statement with or without a trailing semicolon and comment', () => {
    expect(scanSql('SELECT 1').multipleStatements).toBe(false);
    expect(scanSql('SELECT 1;').multipleStatements).toBe(false);
    expect(scanSql('SELECT 1 ;  -- done\n /* really */ ').multipleStatements).toBe(false);
  });

  it('detects a second statement', () => {
    expect(scanSql('SELECT 1; SELECT 2').multipleStatements).toBe(true);
    expect(scanSql('INSERT INTO t VALUES (1);DELETE FROM t').multipleStatements).toBe(true);
  });

  it('ignores semicolons inside literals, identifiers, dollar quotes and comments', () => {
    expect(scanSql('SELECT \';\', "a;b", $$ ; $$ -- ;\n').multipleStatements).toBe(false);
    expect(scanSql('DO $body$ BEGIN PERFORM 1; PERFORM 2; END $body$').multipleStatements).toBe(false);
  });
});
