import {
  createQueryId,
  isOperationNodeSource,
  RawNode,
  sql,
  ValueNode,
  type CompiledQuery,
  type DialectAdapter,
  type OperationNode,
  type QueryExecutorProvider,
  type QueryResult,
  type RawBuilder,
} from 'kysely';

/**
 * The text of a write statement, compiled once per shape and bound per request.
 *
 * The aggregate store's insert and change are raw SQL of 2–4 KB built from a few hundred Kysely
 * nodes; building and compiling them (visiting every node and appending its text) was about half
 * of a customer create's handler CPU (issue 17, docs/benchmarks.md "Fourth pass"). The text
 * depends only on the statement's shape, never on the values it binds, so it is kept by shape:
 *
 * - The statement is still built as a node tree per request (its builders decide the shape from the
 *   values: a null bound as `cast(null as uuid)`, which columns a change sets, how many links). A walk
 *   of the tree writes its shape as numbers and collects its bound values in the order the compiler
 *   would visit them; a shape seen before takes its text from the cache and only binds the values.
 * - The shape is everything the compiler reads to write text: each template call site (a tagged
 *   template's strings array is one object per site, so an id stands for its text), the text of
 *   other fragments (`sql.join`, `sql.raw`, `sql.id`), identifiers and references, and the value of
 *   every literal (`sql.lit`). A bound value is only a placeholder in the text, so only its place is
 *   in the shape. A tree holding any other node (a query builder inside the raw SQL, whose text may
 *   depend on its parent) is compiled by Kysely as before and not cached.
 * - Two kinds of pieces are not walked node by node: `shared` ones (names, literals and lists built
 *   once: one number each) and `statementTemplate` ones (a part built once per shape with
 *   placeholders and bound to each request's arguments, e.g. a create's duplicate candidates).
 * - The parameters are those the dialect's compiler makes: pg's and PGlite's pass the values on as
 *   they are, kysely-data-api's makes the RDS Data API's typed `{ name, value }` objects (it is
 *   given the collected values to compile). Texts are kept per dialect adapter (one per Kysely
 *   instance, shared by its transactions), so `$1` and `:1` placeholders never mix.
 *
 * The SQL text and parameters are byte-identical to Kysely's own compile
 * (test/persistence/statement-cache.test.ts), so the named prepared statements of reusable-plans.ts
 * see the same texts as before.
 */

/** Shapes kept per dialect: a handful per aggregate and write kind; past this the oldest is dropped. */
const SHAPES_PER_DIALECT = 256;
/** Distinct names, fragments and literals given numbers; past this every number and text is forgotten. */
const INTERNED_MAX = 20_000;

interface Shape {
  readonly tokens: Int32Array;
  readonly sql: string;
}

interface DialectTexts {
  /** Shapes by the hash of their tokens (a list: two shapes may share a hash). */
  readonly shapes: Map<number, Shape[]>;
  /**
   * Whether the dialect's compiler passes values on as they are (pg, PGlite): then a hit's
   * parameters are the values themselves. Learnt from every statement it compiles; one that
   * changed a value (the Data API's typed parameters) makes every hit compile its values.
   */
  bindsAsIs: boolean | undefined;
}

/** Per dialect adapter (one per Kysely instance, shared by its transactions). */
let dialects = new WeakMap<DialectAdapter, DialectTexts>();
/** Numbers of names, fragment texts and literal values (a Map tells 1 from '1'). */
let interned = new Map<unknown, number>();
/** Counts the times `interned` was forgotten. */
let generation = 0;
/** Ids of template call sites (their strings arrays): one per site in the code, never per request. */
const templateIds = new WeakMap<readonly string[], number>();
let nextTemplateId = 0;

/** How often the cache answered (for tests and benches). */
export const statementCacheCounts = { hits: 0, misses: 0, uncacheable: 0 };

function intern(value: unknown): number {
  let id = interned.get(value);
  if (id === undefined) {
    if (interned.size >= INTERNED_MAX) {
      // Numbers are about to be reused for other texts: no shape written with the old ones may match
      // (nor the one being walked now, which holds both).
      interned = new Map();
      dialects = new WeakMap();
      generation++;
    }
    interned.set(value, (id = interned.size));
  }
  return id;
}

/** A tagged template's strings array (it carries `raw`); other fragments are made per call. */
function isTemplateStrings(fragments: readonly string[]): boolean {
  return Object.prototype.hasOwnProperty.call(fragments, 'raw');
}

const enum Token {
  TemplateStrings = 1,
  Fragments,
  Value,
  Literal,
  Identifier,
  SelectAll,
  Reference,
  Column,
  Table,
  SchemableIdentifier,
  Shared,
  Template,
}

/** The walk's output, reused (compiling is synchronous): the shape's tokens and the bound values in compile order. */
const tokens: number[] = [];

/**
 * Writes the shape of `node` as tokens (each node's kind, then what its text is made of, then its
 * children: a node's tokens say how many children follow, so no two shapes write the same
 * sequence) and collects its bound values in the order the compiler visits them; false if the tree
 * holds a node whose text this walk does not vouch for.
 */
function walk(node: OperationNode, values: ValueNode[]): boolean {
  switch (node.kind) {
    case 'RawNode': {
      const { sqlFragments } = node as RawNode;
      // A bound template's parameters are built only when read: its binding says all the walk needs.
      if (sqlFragments === BOUND) return walkBound((node as BoundNode)[BINDING], values);
      const { parameters } = node as RawNode;
      let site = templateIds.get(sqlFragments);
      if (site === undefined && isTemplateStrings(sqlFragments)) templateIds.set(sqlFragments, (site = nextTemplateId++));
      if (site !== undefined) {
        tokens.push(Token.TemplateStrings, site, parameters.length);
      } else {
        const id = sharedIds.get(node);
        if (id !== undefined) {
          tokens.push(Token.Shared, id);
          return true;
        }
        tokens.push(Token.Fragments, sqlFragments.length, parameters.length);
        // Most are empty (sql.join, a wrapped node): no lookup for those.
        for (const fragment of sqlFragments) tokens.push(fragment === '' ? -1 : intern(fragment));
      }
      for (let i = 0; i < parameters.length; i++) if (!walk(parameters[i]!, values)) return false;
      return true;
    }
    case 'ValueNode': {
      const { value, immediate } = node as ValueNode;
      if (!immediate) {
        values.push(node as ValueNode);
        tokens.push(Token.Value);
      } else {
        // A literal is written into the text: its value is part of the shape (a Date as the text it is written as).
        tokens.push(Token.Literal, intern(value instanceof Date ? value.toISOString() : value));
      }
      return true;
    }
    case 'IdentifierNode':
      tokens.push(Token.Identifier, intern((node as unknown as { name: string }).name));
      return true;
    case 'SelectAllNode':
      tokens.push(Token.SelectAll);
      return true;
    case 'ReferenceNode': {
      const { table, column } = node as unknown as { table?: OperationNode; column: OperationNode };
      tokens.push(Token.Reference, table ? 1 : 0);
      return (!table || walk(table, values)) && walk(column, values);
    }
    case 'ColumnNode':
      tokens.push(Token.Column);
      return walk((node as unknown as { column: OperationNode }).column, values);
    case 'TableNode':
      tokens.push(Token.Table);
      return walk((node as unknown as { table: OperationNode }).table, values);
    case 'SchemableIdentifierNode': {
      const { schema, identifier } = node as unknown as { schema?: OperationNode; identifier: OperationNode };
      tokens.push(Token.SchemableIdentifier, schema ? 1 : 0);
      return (!schema || walk(schema, values)) && walk(identifier, values);
    }
    default:
      return false;
  }
}

/**
 * Shared nodes: SQL the code builds once and puts in many statements (column and table names, their
 * lists, literals). One is immutable and binds no value, so its identity stands for its text and
 * the walk writes one token for it instead of walking it.
 */
const sharedIds = new WeakMap<OperationNode, number>();
let nextSharedId = 0;

/** Marks `built` (SQL built once and reused, binding no value) as shared; returns it. */
export function shared<T extends RawBuilder<unknown>>(built: T): T {
  const node = built.toOperationNode();
  tokens.length = 0;
  const values: ValueNode[] = [];
  // A piece that binds a value is walked like any other: its values are per statement.
  if (walk(node, values) && values.length === 0 && !sharedIds.has(node)) sharedIds.set(node, nextSharedId++);
  return built;
}

/**
 * A part of a statement built once per shape with placeholders for its arguments, then bound to
 * each request's arguments without being built again (e.g. a create's duplicate candidates: some
 * 400 nodes around four values). `build` is today's builder: it receives each argument as an
 * opaque piece of SQL (a placeholder when building the shape) and may test only whether an
 * argument is undefined, which is part of the shape (a different text). What `build` binds itself
 * (not through an argument) is bound again as it was when the shape was built, so `build` must bind
 * per-request values only through its arguments.
 */
export function statementTemplate<Args extends readonly (RawBuilder<unknown> | undefined)[]>(
  build: (...args: Args) => RawBuilder<unknown>,
): (...args: Args) => RawBuilder<unknown> {
  const skeletons = new Map<number, Skeleton>();
  return (...args: Args) => {
    let absent = 0;
    for (let i = 0; i < args.length; i++) if (args[i] === undefined) absent |= 1 << i;
    const key = absent * 64 + args.length;
    let skeleton = skeletons.get(key);
    if (!skeleton) skeletons.set(key, (skeleton = skeletonOf(build, args.length, absent)));
    return boundBuilder(skeleton, args);
  };
}

interface Skeleton {
  readonly id: number;
  readonly root: OperationNode;
  /** Marker node → argument index. */
  readonly slots: ReadonlyMap<OperationNode, number>;
  /** In compile order: an argument's index where one is placed, a value the skeleton binds itself. */
  readonly plan: readonly (number | ValueNode)[];
}

let nextSkeletonId = 0;

function skeletonOf(build: (...args: never) => RawBuilder<unknown>, count: number, absent: number): Skeleton {
  const slots = new Map<OperationNode, number>();
  const markers = Array.from({ length: count }, (_, index) => {
    if (absent & (1 << index)) return undefined;
    const marker = sql.raw('');
    slots.set(marker.toOperationNode(), index);
    return marker;
  });
  const root = (build as (...args: unknown[]) => RawBuilder<unknown>)(...markers).toOperationNode();
  // Placeholders are found (and replaced) only in raw SQL: a query builder inside would hide them.
  tokens.length = 0;
  if (!walk(root, [])) throw new Error('statementTemplate: the template must be raw SQL (sql`…`, sql.join, sql.ref, sql.lit)');
  const plan: (number | ValueNode)[] = [];
  const visit = (node: OperationNode): void => {
    const slot = slots.get(node);
    if (slot !== undefined) plan.push(slot);
    else if (node.kind === 'ValueNode' && !(node as ValueNode).immediate) plan.push(node as ValueNode);
    else if (node.kind === 'RawNode') for (const child of (node as RawNode).parameters) visit(child);
  };
  visit(root);
  return { id: nextSkeletonId++, root, slots, plan };
}

/** A bound template in a statement: a RawNode Kysely can compile (built on first use), which the walk knows by its fragments. */
const BOUND: readonly string[] = Object.freeze(['', '']);
const BINDING = Symbol('binding');

interface Binding {
  readonly skeleton: Skeleton;
  /** Undefined where the shape has no such argument. */
  readonly args: readonly (OperationNode | undefined)[];
}

type BoundNode = RawNode & { readonly [BINDING]: Binding };

function boundBuilder(skeleton: Skeleton, args: readonly (RawBuilder<unknown> | undefined)[]): RawBuilder<unknown> {
  const binding: Binding = { skeleton, args: args.map((arg) => (arg === undefined ? undefined : argumentNode(arg))) };
  let parameters: readonly OperationNode[] | undefined;
  const node = Object.freeze({
    kind: 'RawNode' as const,
    sqlFragments: BOUND,
    // Compiled by Kysely (a shape seen first, a compile outside the cache): the tree `build` would have made.
    get parameters() {
      return (parameters ??= Object.freeze([materialize(skeleton.root, binding)]));
    },
    [BINDING]: binding,
  });
  return sql`${{ toOperationNode: () => node }}`;
}

function argumentNode(arg: unknown): OperationNode {
  return isOperationNodeSource(arg) ? arg.toOperationNode() : ValueNode.create(arg);
}

/** The skeleton with each placeholder replaced by its argument: the same tree `build` makes from the arguments. */
function materialize(node: OperationNode, binding: Binding): OperationNode {
  const slot = binding.skeleton.slots.get(node);
  if (slot !== undefined) return binding.args[slot]!;
  if (node.kind !== 'RawNode') return node;
  const { sqlFragments, parameters } = node as RawNode;
  // A template bound inside this one becomes a plain node (BOUND marks only nodes that carry their binding).
  return RawNode.create(
    sqlFragments === BOUND ? ['', ''] : sqlFragments,
    parameters.map((child) => materialize(child, binding)),
  );
}

function walkBound({ skeleton, args }: Binding, values: ValueNode[]): boolean {
  tokens.push(Token.Template, skeleton.id);
  for (const step of skeleton.plan) {
    if (typeof step === 'number') {
      if (!walk(args[step]!, values)) return false;
    } else {
      values.push(step);
    }
  }
  return true;
}

/** FNV-1a over the tokens: where to look; the tokens themselves decide. */
function hashOf(sequence: readonly number[]): number {
  let hash = 0x811c9dc5;
  for (const token of sequence) hash = Math.imul(hash ^ token, 0x01000193);
  return hash;
}

function sameTokens(shape: Shape, sequence: readonly number[]): boolean {
  if (shape.tokens.length !== sequence.length) return false;
  for (let i = 0; i < sequence.length; i++) if (shape.tokens[i] !== sequence[i]) return false;
  return true;
}

/** What `statement.compile(db)` returns, with the text taken from the cache when this shape was compiled before. */
export function compileCached<R>(statement: RawBuilder<R> | { toOperationNode(): RawNode }, db: QueryExecutorProvider): CompiledQuery<R> {
  const executor = db.getExecutor();
  const queryId = createQueryId();
  const node = executor.transformQuery(statement.toOperationNode(), queryId);
  const values: ValueNode[] = [];
  tokens.length = 0;
  const walkedIn = generation;
  if (!walk(node, values) || generation !== walkedIn) {
    statementCacheCounts.uncacheable++;
    return executor.compileQuery(node, queryId) as CompiledQuery<R>;
  }
  let dialect = dialects.get(executor.adapter);
  if (!dialect) dialects.set(executor.adapter, (dialect = { shapes: new Map(), bindsAsIs: undefined }));
  const { shapes } = dialect;
  const hash = hashOf(tokens);
  const cached = shapes.get(hash)?.find((shape) => sameTokens(shape, tokens));
  if (cached === undefined) {
    statementCacheCounts.misses++;
    const shape = Int32Array.from(tokens);
    const compiled = executor.compileQuery(node, queryId) as CompiledQuery<R>;
    // Only a text whose parameters are exactly the walk's is kept (a guard: the walk and the compiler agree).
    if (compiled.parameters.length === values.length) {
      if (shapes.size >= SHAPES_PER_DIALECT) shapes.delete(shapes.keys().next().value!);
      shapes.set(hash, [...(shapes.get(hash) ?? []), { tokens: shape, sql: compiled.sql }]);
      if (values.length > 0 && dialect.bindsAsIs !== false) {
        dialect.bindsAsIs = compiled.parameters.every((parameter, i) => parameter === values[i]!.value);
      }
    }
    return compiled;
  }
  statementCacheCounts.hits++;
  const parameters = dialect.bindsAsIs
    ? values.map((value) => value.value)
    : // The dialect's compiler binds the values (the Data API: typed, and named by position).
      executor.compileQuery(RawNode.createWithChildren(values), queryId).parameters;
  return Object.freeze({ query: node, queryId, sql: cached.sql, parameters }) as CompiledQuery<R>;
}

/** `statement.execute(db)`, compiled through the cache. */
export function executeCached<R>(statement: RawBuilder<R>, db: QueryExecutorProvider): Promise<QueryResult<R>> {
  return db.getExecutor().executeQuery<R>(compileCached(statement, db));
}
