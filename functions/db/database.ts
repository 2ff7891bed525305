/**
 * The tables Kysely knows, composed by declaration merging: each table module declares its own
 * table interface next to the code that alone knows its columns and adds it here with
 * `declare module '…/db/database.js' { interface Database { <table>: <Interface> } }`, so this
 * shared module names no aggregate.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the table modules
export interface Database {}
