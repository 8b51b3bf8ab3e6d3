#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, which the CLI downloads from Prisma's own
// binary host: unreachable from our machines, CI and locked-down PBX networks. prisma.config.ts
// names this file in PRISMA_SCHEMA_ENGINE_BINARY, so `prisma migrate|db ...` spawn it instead.
// It runs the same engine compiled to WebAssembly (@prisma/schema-engine-wasm) over a
// @prisma/adapter-pg connection, and speaks the binary's interface to the CLI:
//   schema-engine --version
//   schema-engine [--datamodels <file>]... [--datasource '{"url":...}']      JSON-RPC on stdin/stdout
//   schema-engine --datasource '{"url":...}' cli can-connect-to-database|create-database|drop-database
// That interface is internal to Prisma, so this file is pinned to exact versions (PINNED below).
// Background: prisma/README.md, "Offline".
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const pg = require('pg');
const { PrismaPg } = require('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } = require('@prisma/driver-adapter-utils');

// The wasm must be the engine that this CLI was built with, and the adapter fixes below reach into
// adapter-pg's internals: refuse to run on any other versions (package.json pins them exactly).
const PINNED = {
  prisma: '7.10.0',
  '@prisma/adapter-pg': '7.10.0',
  '@prisma/driver-adapter-utils': '7.10.0',
  '@prisma/schema-engine-wasm': '7.10.0-4.0edf323efd1d98336f3f0a68684b56f689b900d3',
};
const WASM_DIR = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));

function assertPinnedVersions() {
  for (const [name, version] of Object.entries(PINNED)) {
    // The package.json that Node's resolution of `name` from this file would use.
    const file = module.paths.map((dir) => path.join(dir, name, 'package.json')).find((f) => fs.existsSync(f));
    const found = file ? JSON.parse(fs.readFileSync(file, 'utf8')).version : 'none';
    if (found !== version) {
      throw new Error(`prisma/engine/schema-engine.js was written for ${name} ${version}, found ${found}. ` +
        'Upgrade the Prisma packages together and re-check this shim (see prisma/README.md).');
    }
  }
}

function assertSupported(unknownArgs) {
  assertPinnedVersions();
  if (unknownArgs.length) throw new Error(`schema-engine (wasm shim): unknown arguments ${unknownArgs.join(' ')}`);
}

// ---------------------------------------------------------------------------------------------
// Arguments
function parseArgs(argv) {
  const args = { datamodels: [], datasource: {}, cli: null, version: false, unknown: [] };
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case '--datamodels': args.datamodels.push(argv[++i]); break;
      case '--datasource': args.datasource = JSON.parse(argv[++i]); break;
      case '--version': args.version = true; break;
      case 'cli': args.cli = argv[++i]; break;
      // Preview features and extension types do not apply to PostgreSQL migrations here.
      case '--enabled-preview-features': case '--extension-types': i++; break;
      default: args.unknown.push(argv[i]); // reported by the command (see serve())
    }
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// `cli ...` subcommands: plain pg is enough. The CLI skips the first stderr line and reads the
// others as the binary's JSON log lines; an ERROR line with an error_code is a known error.
async function runCliCommand(command, url, unknownArgs) {
  try {
    assertSupported(unknownArgs);
    const { database } = parseUrl(url);
    switch (command) {
      case 'can-connect-to-database':
        await withClient(url, async () => {});
        break;
      case 'create-database':
        await withClient(adminUrl(url), (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`));
        break;
      case 'drop-database':
        await withClient(adminUrl(url), (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`));
        break;
      default:
        throw new Error(`unknown cli command ${command}`);
    }
    process.exit(0);
  } catch (error) {
    const { error_code, message } = knownConnectionError(error, url);
    process.stderr.write(`${logLine('INFO', 'schema-engine shim')}\n`);
    process.stderr.write(`${logLine('ERROR', message, { error_code })}\n`);
    process.exit(1);
  }
}

function logLine(level, message, fields = {}) {
  return JSON.stringify({ timestamp: new Date().toISOString(), level, fields: { message, ...fields }, target: 'schema_engine::logger' });
}

// The native engine's codes and wording for the errors the CLI reacts to (P1003 makes
// `migrate dev` offer to create the database).
function knownConnectionError(error, url) {
  const { host, port, database, user } = URL.canParse(url) ? parseUrl(url) : {};
  switch (error.code) {
    case '3D000': return { error_code: 'P1003', message: `Database \`${database}\` does not exist on the database server at \`${host}:${port}\`.` };
    case '28P01': case '28000': return { error_code: 'P1000', message: `Authentication failed against database server, the provided database credentials for \`${user}\` are not valid.` };
    case 'ECONNREFUSED': case 'ENOTFOUND': case 'ETIMEDOUT': return { error_code: 'P1001', message: `Can't reach database server at \`${host}:${port}\`` };
    default: return { error_code: undefined, message: String(error.message ?? error) };
  }
}

function parseUrl(url) {
  const u = new URL(url);
  return { host: u.hostname, port: u.port || '5432', database: decodeURIComponent(u.pathname.slice(1)) || 'postgres', user: decodeURIComponent(u.username) };
}

function adminUrl(url) {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The driver adapter, with fixes for what the engine needs and adapter-pg 7.10 gets wrong.
const PG_CHAR = 18; // "char": pg_constraint.contype, pg_class.relkind, ...
const PG_TEXT = 25;

class EngineAdapterFactory extends PrismaPg {
  constructor(url) {
    // `?schema=` selects the PostgreSQL schema, as with the native engine.
    super({ connectionString: url, max: 4 }, { schema: new URL(url).searchParams.get('schema') ?? undefined });
    this.url = url;
  }

  async connect() {
    return fixAdapter(await super.connect());
  }

  // adapter-pg drops the shadow database before closing the pool that is connected to it, which
  // PostgreSQL refuses ("being accessed by other users"): close the pool first, then drop.
  async connectToShadowDb() {
    const name = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
    await withClient(this.url, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
    const adapter = await new EngineAdapterFactory(withDatabase(this.url, name)).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await withClient(this.url, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    };
    return adapter;
  }
}

function fixAdapter(adapter) {
  fixCatalogTypes(adapter);
  // adapter-pg's executeScript splits the script on every ";" (even inside strings, comments and
  // $$ bodies) and runs the pieces one by one. The native engine sends a migration script as one
  // simple-protocol query, which PostgreSQL runs as a whole: do the same.
  adapter.executeScript = async (script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      adapter.onError(error);
    }
  };
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => fixCatalogTypes(await startTransaction(...args));
  return adapter;
}

// adapter-pg cannot map the catalog column type "char" (OID 18: pg_constraint.contype, ...) and
// throws "Unsupported column type char" when the engine reads the catalog. Let adapter-pg read such
// columns as text, then tell the engine they are character columns: given text, the engine panics
// on the NOT NULL constraints that PostgreSQL 18 lists in pg_constraint (contype 'n').
function fixCatalogTypes(queryable) {
  const charColumns = new WeakMap(); // query -> indexes of its "char" columns
  const performIO = queryable.performIO.bind(queryable);
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    const chars = [];
    result.fields.forEach((field, i) => {
      if (field.dataTypeID !== PG_CHAR) return;
      chars.push(i);
      field.dataTypeID = PG_TEXT;
    });
    charColumns.set(query, chars);
    return result;
  };
  queryable.queryRaw = async (query) => {
    const resultSet = await queryRaw(query);
    for (const i of charColumns.get(query) ?? []) resultSet.columnTypes[i] = ColumnTypeEnum.Character;
    return resultSet;
  };
  return queryable;
}

// ---------------------------------------------------------------------------------------------
// The WebAssembly engine. Node 20 cannot import a .wasm module, so instantiate it by hand with
// the wasm-bindgen glue as its import object (that is what the package's schema_engine.js does).
async function loadEngine(datamodels, url) {
  const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const bytes = fs.readFileSync(path.join(WASM_DIR, 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  if (datamodels === null) return { glue };
  if (!url) {
    throw new Error('The datasource url is empty: set DATABASE_URL. Unlike the native engine, the WebAssembly ' +
      'engine connects to the database even when it only compares schema files and migrations.');
  }

  // No --datamodels (e.g. `migrate diff`): undefined, not [] (the engine panics on []).
  const files = datamodels.length ? datamodels.map((file) => [file, fs.readFileSync(file, 'utf8')]) : undefined;
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(new EngineAdapterFactory(url));
  const log = (line) => process.stderr.write(`${line}\n`); // JSON log lines, like the binary's
  const engine = await glue.SchemaEngine.new({ datamodels: files }, log, adapterFactory);
  return { glue, engine };
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC 2.0, one message per line. Method names are the wasm engine's, except two.
function send(message) {
  process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
}

let nextOwnRequestId = 1_000_000_000;

async function handle(enginePromise, { id, method, params }) {
  try {
    const engine = await enginePromise;
    let result;
    if (method === 'getDatabaseVersion') {
      result = await engine.version(params);
    } else if (method === 'diff') {
      // The binary does not return the diff: it asks the CLI to print it (the CLI writes it to
      // stdout, or to --output), and returns only the exit code.
      const { exitCode, stdout } = await engine.diff(params);
      if (stdout) send({ id: nextOwnRequestId++, method: 'print', params: { content: stdout } });
      result = { exitCode };
    } else if (method === 'evaluateDataLoss' || method === 'createMigration') {
      // These two read the schema that the migrations produce from a cache, and compute it on a
      // miss without the adapter's shadow database: "PostgreSQL shadow DB must be provided through
      // an external factory". `migrate dev` on a database that was behind hits that miss. Fill the
      // cache first: diagnosing with the shadow database replays the (now applied) migrations.
      await engine.diagnoseMigrationHistory({ migrationsList: params.migrationsList, optInToShadowDatabase: true, filters: params.filters });
      result = await engine[method](params);
    } else if (method !== 'constructor' && method !== 'free' && typeof engine[method] === 'function') {
      result = await engine[method](params);
    } else {
      throw new Error(`The WebAssembly schema engine has no method ${method}.`);
    }
    send({ id, result: result ?? {} });
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) panic(error);
    // Shaped as the binary's errors, so that the CLI prints "P3006 ..." as usual. The wasm's
    // errors carry the code in `code`; their message ends with a wasm span trace: cut it.
    const message = String(error?.message ?? error).replace(/\n +0: schema_engine_wasm::[\s\S]*$/, '');
    const errorCode = /^P\d{4}$/.test(error?.code) ? error.code : undefined;
    send({ id, error: { code: 4466, message: 'An error happened. Check the data field for details.', data: { is_panic: false, message, error_code: errorCode, meta: error?.meta ?? null } } });
  }
}

// A Rust panic surfaces as a RuntimeError ("unreachable"), sometimes outside any request's
// promise, and leaves the instance unusable. Do what the binary does: log it and exit with 101.
// The CLI then reports "Error in Schema engine" with this message.
let panicMessage = null;
globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message: (message) => { panicMessage = message; } };

function panic(error) {
  process.stderr.write(`${logLine('ERROR', panicMessage ?? String(error), { backtrace: error?.stack })}\n`);
  process.exit(101);
}

function serve(args) {
  // Read requests at once, and answer them with the error if the engine cannot start: exiting
  // instead leaves the CLI waiting on a dead process, and it then exits 0 having printed nothing.
  const enginePromise = (async () => {
    assertSupported(args.unknown);
    if (args.datasource.shadowDatabaseUrl) {
      throw new Error('shadowDatabaseUrl is not supported: shadow databases are created next to the datasource url.');
    }
    return (await loadEngine(args.datamodels, args.datasource.url ?? '')).engine;
  })();
  enginePromise.catch(() => {});
  // One request at a time, in order: the wasm engine is not reentrant (the CLI waits for each
  // answer anyway).
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    const message = JSON.parse(line);
    if (message.method === undefined) return; // the CLI's answer to our `print` request
    queue = queue.then(() => handle(enginePromise, message));
  });
  // The CLI ends a session by closing stdin. Exit then: the wasm's timers would otherwise keep
  // the process alive for 10-60 s and every command would hang that long.
  lines.on('close', () => queue.then(() => process.exit(0)));
}

function fail(message) {
  process.stderr.write(`schema-engine (wasm shim): ${message}\n`);
  process.exit(1);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    assertPinnedVersions();
    const { glue } = await loadEngine(null);
    process.stdout.write(`schema-engine-cli ${glue.version()}\n`);
    return;
  }
  if (args.cli) return runCliCommand(args.cli, args.datasource.url, args.unknown);
  return serve(args);
}

process.on('uncaughtException', panic);
main().catch((error) => fail(error.stack ?? String(error)));
